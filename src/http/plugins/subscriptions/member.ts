import type { ExecutionResult } from 'graphql';

/** One result of a group, made and serialised once for all its members. */
export interface SharedResult {
  /** The sync the result is about: a member holds at most one undelivered result per sync. */
  syncId: string;
  result: ExecutionResult;
  /** `JSON.stringify(result)`: what every member is sent, and what the next result is compared with. */
  json: string;
  /** Whether `json` is already the wire payload (no errors or extensions for a transport to reshape). */
  plain: boolean;
}

/**
 * Marks `result` as serialised once as `json`, for the HTTP transports: yoga's SSE writes a
 * result through its `stringify` when it has one, and the multipart one reads it too
 * (`serialisedJson`). Not enumerable, so no copy or serialisation of the result carries it.
 */
export function serialised(result: ExecutionResult, json: string): void {
  Object.defineProperty(result, 'stringify', { value: () => json });
}

/** The JSON `result` was serialised as once for its whole group, if it was. */
export function serialisedJson(result: ExecutionResult): string | undefined {
  const { stringify } = result as { stringify?: unknown };
  return typeof stringify === 'function' ? (stringify as () => string)() : undefined;
}

/**
 * Writes a pre-serialised frame to a member's socket and calls `written` once the socket took it
 * (or failed to): the next frame waits for that, so a slow socket holds only its own member back.
 */
export interface DirectSink {
  /** The frame up to its payload, e.g. `{"id":"1","type":"next","payload":`. */
  prefix: string;
  /** The frame after its payload. */
  suffix: string;
  send(frame: string, written: () => void): void;
}

/** Told as members come, go and are sent results. */
export interface MemberHooks {
  onOpen?: () => void;
  onClose?: () => void;
  onSent?: () => void;
}

/**
 * One subscriber of a group. Written by hand: it must hold at most one undelivered result per
 * sync (a newer one replaces an older one, so a slow client costs bounded memory and still ends
 * up current), leave its group at once when the client goes, and serve two transports: as an
 * async iterator (yoga's SSE and multipart, and graphql-ws for results with errors, which the
 * envelop pipeline masks and formats per operation), or by writing the shared serialised result
 * straight to a WebSocket (`sendDirect`), which costs no per-member execution, pipeline pass or
 * JSON.stringify.
 */
export class Member implements AsyncIterableIterator<ExecutionResult> {
  private readonly pending = new Map<string, SharedResult>();
  private waiting: ((step: IteratorResult<ExecutionResult>) => void) | undefined;
  private failWaiting: ((error: unknown) => void) | undefined;
  private sink: DirectSink | undefined;
  /** A frame is on its way to the socket. */
  private writing = false;
  /** Direct mode: a result with errors was handed to graphql-ws, which has not asked for more yet. */
  private handedOut = false;
  /** The group ended (its source finished or failed): deliver what is pending, then end. */
  private ending = false;
  private failure: { error: unknown } | undefined;
  private closed = false;

  constructor(
    private readonly leave: (member: Member) => void,
    private readonly hooks: MemberHooks,
  ) {
    hooks.onOpen?.();
  }

  /** A new result of the group. */
  offer(shared: SharedResult): void {
    if (this.closed) return;
    if (!this.sink && this.waiting && this.pending.size === 0) {
      this.hooks.onSent?.();
      this.wake({ done: false, value: shared.result });
      return;
    }
    this.pending.delete(shared.syncId);
    this.pending.set(shared.syncId, shared);
    if (this.sink) this.flush();
  }

  /** The group has no more results (`failure`: its source threw). */
  end(failure?: { error: unknown }): void {
    if (this.closed || this.ending) return;
    this.ending = true;
    this.failure = failure;
    if (this.sink) this.flush();
    else if (this.waiting && this.pending.size === 0) this.settleEnd();
  }

  /** From now on plain results go straight to the socket; the rest still pass through `next()`. */
  sendDirect(sink: DirectSink): void {
    this.sink = sink;
    this.flush();
  }

  next(): Promise<IteratorResult<ExecutionResult>> {
    if (this.closed) return Promise.resolve({ done: true, value: undefined });
    // graphql-ws asks for the next step once it has sent the one before.
    this.handedOut = false;
    const promise = new Promise<IteratorResult<ExecutionResult>>((resolve, reject) => {
      this.waiting = resolve;
      this.failWaiting = reject;
    });
    if (this.sink) this.flush();
    else {
      const [first] = this.pending.values();
      if (first) {
        this.pending.delete(first.syncId);
        this.hooks.onSent?.();
        this.wake({ done: false, value: first.result });
      } else if (this.ending) this.settleEnd();
    }
    return promise;
  }

  return(): Promise<IteratorResult<ExecutionResult>> {
    this.close();
    return Promise.resolve({ done: true, value: undefined });
  }

  throw(error?: unknown): Promise<IteratorResult<ExecutionResult>> {
    this.close();
    return Promise.reject(error);
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  /** Direct mode: sends the oldest pending result, one at a time. */
  private flush(): void {
    const sink = this.sink;
    if (!sink || this.writing || this.handedOut || this.closed) return;
    const [first] = this.pending.values();
    if (!first) {
      if (this.ending && this.waiting) this.settleEnd();
      return;
    }
    if (first.plain) {
      this.pending.delete(first.syncId);
      this.writing = true;
      this.hooks.onSent?.();
      sink.send(sink.prefix + first.json + sink.suffix, this.written);
      return;
    }
    // A result with errors goes through graphql-ws and the pipeline, which mask and format it.
    if (!this.waiting) return;
    this.pending.delete(first.syncId);
    this.handedOut = true;
    this.hooks.onSent?.();
    this.wake({ done: false, value: first.result });
  }

  /** One function per member, not one closure per frame. */
  private readonly written = (): void => {
    this.writing = false;
    this.flush();
  };

  private wake(step: IteratorResult<ExecutionResult>): void {
    const resolve = this.waiting;
    this.waiting = undefined;
    this.failWaiting = undefined;
    resolve?.(step);
  }

  private settleEnd(): void {
    const reject = this.failWaiting;
    const failure = this.failure;
    this.close();
    if (failure) {
      this.waiting = undefined;
      this.failWaiting = undefined;
      reject?.(failure.error);
    } else this.wake({ done: true, value: undefined });
  }

  private close(): void {
    if (this.closed) return;
    this.closed = true;
    this.pending.clear();
    this.leave(this);
    this.hooks.onClose?.();
    // A step still awaited ends with the member (graphql-ws's loop then completes the operation).
    if (!this.failure) this.wake({ done: true, value: undefined });
  }
}
