import { describe, expect, it } from 'vitest';
import { envelope, syncId } from '../fixtures/status.js';
import { fireNext, startLiveGateway } from '../utils/live.js';
import { freshnessOf, SYNC_FRESHNESS } from '../utils/operations.js';
import { until } from '../utils/wait.js';
import { sentinel, watch } from '../utils/ws.js';

// With STALE_IF_ERROR_MS on, queries may get a stand-in (stale-if-error.test.ts); subscriptions
// never do.

const ID = syncId(1);

describe('subscriptions never receive a stale snapshot', () => {
  const SUB = /* GraphQL */ `
    subscription Watch($id: ID!) {
      bulkSync(id: $id) { id status { fetchedAt stale currentExecution { recordCount } } }
    }
  `;

  async function begin() {
    const live = await startLiveGateway({ STALE_IF_ERROR_MS: '60000' });
    live.t.sim.addSync(ID, envelope({ recordCount: 1 }));
    return { ...live, client: live.open() };
  }

  const staleFlags = (events: { data?: unknown }[]) =>
    events.map(
      (event) => (event.data as { bulkSync: { status: { stale: boolean } } }).bulkSync.status.stale,
    );

  it('a watched sync whose poll fails sends nothing, even with a last good status at hand', async () => {
    const { t, scheduler, client } = await begin();
    const w = watch(client, SUB, { id: ID });
    await until(() => w.events.length === 1);
    t.sim.inject({ kind: 'status', status: 503 }, { syncId: ID, times: 2 });
    for (let n = 1; n <= 2; n++) {
      fireNext(scheduler);
      await until(() => t.sim.statusCalls() === 1 + n && scheduler.pending().length === 1);
    }
    await sentinel(client);
    expect(w.events).toHaveLength(1);
    expect(staleFlags(w.events)).toEqual([false]);
  });

  it('a subscribe during an outage sends no stale first event; the first event comes on recovery', async () => {
    const { t, scheduler, client } = await begin();
    // A query leaves a last good status in the store…
    const primedRes = await t.query(SYNC_FRESHNESS, { id: ID });
    expect(freshnessOf(primedRes)?.stale).toBe(false);
    // …then Polytomic fails for the subscriber's first look.
    t.sim.inject({ kind: 'status', status: 503 }, { syncId: ID, times: 1 });
    const w = watch(client, SUB, { id: ID });
    await until(() => t.sim.statusCalls() === 2 && scheduler.pending().length === 1);
    await sentinel(client);
    expect(staleFlags(w.events)).toEqual([]);

    fireNext(scheduler);
    await until(() => t.sim.statusCalls() === 3 && scheduler.pending().length === 1);
    await until(() => w.events.length >= 1, 1000).catch(() => undefined);
    expect(staleFlags(w.events)).toEqual([false]);
  });
});
