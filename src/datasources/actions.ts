import { randomUUID } from 'node:crypto';
import type { CatalogueStore } from './catalogue-store.js';
import type { LiveRegistry } from './live/registry.js';
import type { CallOptions, PolytomicClient } from './polytomic/client.js';
import { UpstreamHttpError } from './polytomic/errors.js';
import type { ActivateAnswer, CancelAnswer, Execution, StartRequest } from './polytomic/types.js';
import type { StatusStore } from './status-store.js';

/** What the actions are built on; app.ts makes these once. */
export interface ActionsOptions {
  client: PolytomicClient;
  statuses: StatusStore;
  catalogue: CatalogueStore;
  live: LiveRegistry;
}

// Refusals: Polytomic did nothing, so nothing cached can be out of date.
const REFUSALS = new Set([400, 401, 403, 404, 422]);

/**
 * Start, cancel, pause and resume, for one caller and with the caller's own credential. Each
 * call carries one `Idempotency-Key` on every attempt (the client's, else a new UUID), so the
 * client's retries of network errors, 408, 429 and 5xx cannot start two executions. Afterwards,
 * unless Polytomic refused it outright, what is cached of that sync for this credential is
 * dropped and its pollers poll now: readers and subscribers see the change at once rather than
 * at the idle cadence. A failure counts too (a timed-out start may have started; a 409 says a
 * run is going that the cache may not show).
 */
export class SyncActions {
  readonly #options: ActionsOptions;
  readonly #authorization: string;
  readonly #requestId: string | undefined;

  constructor(options: ActionsOptions, authorization: string, requestId?: string) {
    this.#options = options;
    this.#authorization = authorization;
    this.#requestId = requestId;
  }

  /** Starts an execution; `idempotencyKey` makes a retry safe (else one is made up). */
  start(id: string, request: StartRequest, idempotencyKey?: string): Promise<Execution> {
    return this.#act(id, idempotencyKey, (call) =>
      this.#options.client.startBulkSync(lower(id), this.#authorization, request, call),
    );
  }

  cancel(id: string): Promise<CancelAnswer> {
    return this.#act(id, undefined, (call) =>
      this.#options.client.cancelBulkSync(lower(id), this.#authorization, call),
    );
  }

  setActive(id: string, active: boolean): Promise<ActivateAnswer> {
    return this.#act(id, undefined, (call) =>
      this.#options.client.activateBulkSync(lower(id), this.#authorization, active, call),
    );
  }

  async #act<T>(
    id: string,
    idempotencyKey: string | undefined,
    run: (call: CallOptions & { idempotencyKey: string }) => Promise<T>,
  ): Promise<T> {
    try {
      const answer = await run({
        idempotencyKey: idempotencyKey ?? randomUUID(),
        requestId: this.#requestId,
      });
      this.#refresh(id);
      return answer;
    } catch (error) {
      if (!(error instanceof UpstreamHttpError && REFUSALS.has(error.statusCode))) {
        this.#refresh(id);
      }
      throw error;
    }
  }

  #refresh(id: string): void {
    const { statuses, catalogue, live } = this.#options;
    statuses.invalidate(id, this.#authorization);
    catalogue.invalidate(id);
    live.pollNow(id);
  }
}

const lower = (id: string) => id.toLowerCase();
