import { randomUUID } from 'node:crypto';
import type { CatalogueStore } from './catalogue-store.js';
import type { LiveRegistry } from './live/registry.js';
import type { PolytomicClient } from './polytomic/client.js';
import type { ActivateAnswer, CancelAnswer, Execution, StartRequest } from './polytomic/types.js';
import type { StatusStore } from './status-store.js';

/** What a caller may do to a sync, with the caller's own credential. */
export interface SyncActions {
  /** Starts an execution; `idempotencyKey` makes a retry safe (else one is made up). */
  start(id: string, request: StartRequest, idempotencyKey?: string): Promise<Execution>;
  cancel(id: string): Promise<CancelAnswer>;
  setActive(id: string, active: boolean): Promise<ActivateAnswer>;
}

/** Options of {@link createActions}. */
export interface ActionsOptions {
  client: PolytomicClient;
  statuses: StatusStore;
  catalogue: CatalogueStore;
  live: LiveRegistry;
}

/**
 * The three actions, for one caller. Each carries one `Idempotency-Key` on every attempt, so the
 * client's retries of network errors, 408, 429 and 5xx cannot start two executions. Once one
 * succeeds, what is cached of that sync for this credential is dropped and its pollers poll now,
 * so readers and subscribers see the change at once rather than at the idle cadence.
 */
export function createActions(options: ActionsOptions) {
  const { client, statuses, catalogue, live } = options;
  return (authorization: string, requestId?: string): SyncActions => {
    const act = async <T>(id: string, run: (key: string) => Promise<T>, given?: string) => {
      const answer = await run(given ?? randomUUID());
      statuses.invalidate(id, authorization);
      catalogue.invalidate(id, authorization);
      live.pollNow(id);
      return answer;
    };
    const call = (idempotencyKey: string) => ({ idempotencyKey, requestId });
    return {
      start: (id, request, idempotencyKey) =>
        act(
          id,
          (key) => client.startBulkSync(id.toLowerCase(), authorization, request, call(key)),
          idempotencyKey,
        ),
      cancel: (id) =>
        act(id, (key) => client.cancelBulkSync(id.toLowerCase(), authorization, call(key))),
      setActive: (id, active) =>
        act(id, (key) =>
          client.activateBulkSync(id.toLowerCase(), authorization, active, call(key)),
        ),
    };
  };
}
