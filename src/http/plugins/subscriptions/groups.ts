import type { ExecutionResult } from 'graphql';
import { isAsyncIterable } from 'graphql-yoga';
import { Member, type MemberHooks, type SharedResult, serialised } from './member.js';
import { wireResult } from './wire.js';

/** Members offered a result in one turn of the event loop, before queries get theirs. */
const SLICE = 256;

/** What starting a group's one execution gives: its stream of results, or why it could not start. */
export type Started = AsyncIterable<ExecutionResult> | ExecutionResult;

/** Hooks of {@link SubscriptionGroups}: the members' own, and one per execution of a group. */
export interface GroupHooks extends MemberHooks {
  /** A group's execution made a result (once per change, however many members it has). */
  onExecuted?: () => void;
}

/**
 * Subscriptions with the same document, variables and credential share one execution: each
 * change is executed, compared with the last result for its sync, and serialised once, then
 * offered to every member. A group forms with its first member and ends (its execution stopped,
 * so its poll stops too) when its last member leaves, or when its execution ends.
 */
export class SubscriptionGroups {
  private readonly groups = new Map<string, Group>();

  constructor(private readonly hooks: GroupHooks) {}

  /**
   * Joins the group of `key`, starting it with `start` if there is none. `start` gets a
   * function to call with the sync each coming result is about, just before that result is made.
   * Resolves to the new member, or to the result that refused the subscription (shared by
   * everyone who asked at the same time).
   */
  async join(
    key: string,
    start: (note: (syncId: string) => void) => Started | Promise<Started>,
  ): Promise<Member | ExecutionResult> {
    for (;;) {
      let group = this.groups.get(key);
      if (!group) {
        const created = new Group(this.hooks, () => {
          if (this.groups.get(key) === created) this.groups.delete(key);
        });
        this.groups.set(key, created);
        created.start(start);
        group = created;
      }
      const joined = await group.join();
      // Its last member left while this one was joining: start over, with a new group.
      if (joined) return joined;
    }
  }

  /** Groups running now (for tests and metrics). */
  get size(): number {
    return this.groups.size;
  }
}

class Group {
  private readonly members = new Set<Member>();
  /** The last result sent per sync: what a new member is told at once, and what repeats are checked against. */
  private readonly latest = new Map<string, SharedResult>();
  private source: AsyncIterator<ExecutionResult> | undefined;
  private opened: Promise<ExecutionResult | undefined> | undefined;
  private current = '';
  private ended: { failure?: { error: unknown } } | undefined;
  /** Ended because its last member left (not because its execution did). */
  private abandoned = false;

  constructor(
    private readonly hooks: GroupHooks,
    private readonly dissolve: () => void,
  ) {}

  start(start: (note: (syncId: string) => void) => Started | Promise<Started>): void {
    this.opened = (async () => {
      try {
        const started = await start((syncId) => {
          this.current = syncId;
        });
        if (!isAsyncIterable(started)) {
          this.finish();
          return started;
        }
        this.source = started[Symbol.asyncIterator]();
        void this.pump();
        return undefined;
      } catch (error) {
        this.finish({ error });
        throw error;
      }
    })();
  }

  /** The new member, the refusal, or nothing when the group was left empty meanwhile. */
  async join(): Promise<Member | ExecutionResult | undefined> {
    const refused = await this.opened;
    if (refused) return refused;
    if (this.abandoned) return undefined;
    const member = new Member(this.leave, this.hooks);
    this.members.add(member);
    for (const shared of this.latest.values()) member.offer(shared);
    if (this.ended) member.end(this.ended.failure);
    return member;
  }

  private readonly leave = (member: Member): void => {
    this.members.delete(member);
    if (this.members.size === 0 && !this.ended) {
      this.abandoned = true;
      this.finish();
    }
  };

  private async pump(): Promise<void> {
    const source = this.source as AsyncIterator<ExecutionResult>;
    try {
      for (;;) {
        const step = await source.next();
        if (step.done || this.ended) break;
        this.hooks.onExecuted?.();
        const result = step.value;
        const syncId = this.current;
        const json = JSON.stringify(result);
        if (this.latest.get(syncId)?.json === json) continue;
        const plain = result.errors === undefined && result.extensions === undefined;
        if (plain) serialised(result, json);
        const wire = plain ? json : JSON.stringify(wireResult(result));
        const shared: SharedResult = {
          syncId,
          result,
          json,
          wire,
          failed: !!result.errors?.length,
        };
        // Last in the replay order too, as in a member's pending results.
        this.latest.delete(syncId);
        this.latest.set(syncId, shared);
        await this.broadcast(shared);
      }
      this.finish();
    } catch (error) {
      this.finish({ error });
    }
  }

  /**
   * Offers `shared` to every member, a slice per turn of the event loop: a fan-out of tens of
   * thousands never holds queries up for long. Offering never waits for a socket.
   */
  private async broadcast(shared: SharedResult): Promise<void> {
    const targets = [...this.members];
    for (let start = 0; start < targets.length; start += SLICE) {
      if (start > 0) await new Promise((resolve) => setImmediate(resolve));
      const end = Math.min(start + SLICE, targets.length);
      for (let n = start; n < end; n++) targets[n]?.offer(shared);
    }
  }

  /** Ends the group: no new member joins it, its execution stops, its members end after what they hold. */
  private finish(failure?: { error: unknown }): void {
    if (this.ended) return;
    this.ended = failure ? { failure } : {};
    this.dissolve();
    this.source?.return?.().catch(() => undefined);
    for (const member of [...this.members]) member.end(failure);
  }
}
