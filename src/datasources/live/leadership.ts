/**
 * Who polls a watched sync. With one process the answer is always "this one"; with Redis, one
 * replica holds a lease per (credential hash, sync) and the others only listen.
 */
export interface Leadership {
  /**
   * Stands for leadership of `key`: `onElected` runs when this process starts leading it and
   * `onDeposed` when it stops (lease lost). Returns a function that withdraws (and deposes).
   */
  campaign(key: string, onElected: () => void, onDeposed: () => void): () => void;
}

export function createLocalLeadership(): Leadership {
  return {
    campaign(_key, onElected, onDeposed) {
      onElected();
      return onDeposed;
    },
  };
}
