import type { ExecutionResult } from 'graphql';

/** One result of a group, made and serialised once for all its members. */
export interface SharedResult {
  /** The sync the result is about: a member holds at most one undelivered result per sync. */
  syncId: string;
  result: ExecutionResult;
  /** `JSON.stringify(result)`: what the next result for the sync is compared with. */
  json: string;
  /** The result as a client is sent it (errors masked and formatted): a WebSocket frame's payload. */
  wire: string;
  /** Whether it carries errors (counted once per member it is sent to). */
  failed: boolean;
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
  /** Whether the frame was written (false: the socket is closing, and `written` never comes). */
  send(frame: string, written: () => void): boolean;
}

/** Told as members come, go and are sent results. */
export interface MemberHooks {
  onOpen?: () => void;
  onClose?: () => void;
  onSent?: () => void;
  /** A result with errors was written to a WebSocket (past the pipeline that counts them otherwise). */
  onErrorsSent?: (result: ExecutionResult) => void;
}

/**
 * One subscriber of a group. Written by hand: it must hold at most one undelivered result per
 * sync (a newer one replaces an older one, so a slow client costs bounded memory and still ends
 * up current), leave its group at once when the client goes, and serve two transports: as an
 * async iterator (yoga's SSE and multipart, through the operation's own pipeline), or by writing
 * the group's serialised result straight to a WebSocket (`sendDirect`), which costs no
 * per-member execution, pipeline pass or JSON.stringify. graphql-ws then iterates it only to
 * learn of its end.
 */
export class Member implements AsyncIterableIterator<ExecutionResult> {
  private readonly pending = new Map<string, SharedResult>();
  private waiting: ((step: IteratorResult<ExecutionResult>) => void) | undefined;
  private failWaiting: ((error: unknown) => void) | undefined;
  private sink: DirectSink | undefined;
  /** A frame is on its way to the socket. */
  private writing = false;
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

  /** From now on results go straight to the socket; `next()` only tells the end. */
  sendDirect(sink: DirectSink): void {
    this.sink = sink;
    this.flush();
  }

  next(): Promise<IteratorResult<ExecutionResult>> {
    if (this.closed) return Promise.resolve({ done: true, value: undefined });
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

  /** Direct mode: writes the oldest pending result, one at a time; then the end, if it came. */
  private flush(): void {
    const sink = this.sink;
    if (!sink || this.writing || this.closed) return;
    const [first] = this.pending.values();
    if (!first) {
      if (this.ending && this.waiting) this.settleEnd();
      return;
    }
    this.pending.delete(first.syncId);
    this.writing = true;
    // A closing socket takes nothing more; graphql-ws ends the operation, and this member.
    if (!sink.send(sink.prefix + first.wire + sink.suffix, this.written)) return;
    this.hooks.onSent?.();
    if (first.failed) this.hooks.onErrorsSent?.(first.result);
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
