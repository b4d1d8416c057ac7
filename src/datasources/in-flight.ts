/**
 * Upstream calls in flight, shared by key. A call may write its answer into a cache only while
 * it is still the one in flight for its key: once the key is forgotten (an action changed the
 * resource meanwhile), a later lookup starts a new call and the old one's answer, which may
 * predate the change, is returned to its own callers but kept nowhere.
 */
export class InFlight<T> {
  readonly #calls = new Map<string, Promise<T>>();

  /** The call in flight for `key`, if any. */
  get(key: string): Promise<T> | undefined {
    return this.#calls.get(key);
  }

  /** Shares `call` under `key` until it settles; `keep` gets its answer unless `key` was forgotten. */
  start(key: string, call: Promise<T>, keep: (value: T) => void): Promise<T> {
    const shared: Promise<T> = call
      .then((value) => {
        if (this.#calls.get(key) === shared) keep(value);
        return value;
      })
      .finally(() => {
        if (this.#calls.get(key) === shared) this.#calls.delete(key);
      });
    this.#calls.set(key, shared);
    return shared;
  }

  /** Forgets the call of `key`: the next lookup starts its own, and this one keeps nothing. */
  forget(key: string): void {
    this.#calls.delete(key);
  }

  /** Forgets the call of every key `matches` picks. */
  forgetWhere(matches: (key: string) => boolean): void {
    for (const key of [...this.#calls.keys()]) if (matches(key)) this.#calls.delete(key);
  }
}
