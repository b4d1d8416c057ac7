import { describe, expect, it } from 'vitest';
import {
  SIM_CATALOGUE_SYNCS,
  SIM_KEY,
  SIM_OTHER_KEY,
  SIM_SYNCS,
} from '../../tools/simulator/index.js';
import { INTERVAL_MS, type LiveGateway, startLiveGateway } from '../utils/live.js';
import { executionOf } from '../utils/operations.js';
import { until } from '../utils/wait.js';
import { watch } from '../utils/ws.js';

const SYNC = SIM_CATALOGUE_SYNCS.hubspotSnowflake;
const OWN = { authorization: `Bearer ${SIM_KEY}` };

const WATCH = /* GraphQL */ `
  subscription ($id: ID!) {
    bulkSync(id: $id) { id name status { currentExecution { status } } }
  }`;

const START = 'mutation ($id: ID!) { startBulkSync(id: $id) { execution { id } } }';
const PAUSE =
  'mutation ($id: ID!) { setBulkSyncActive(id: $id, active: false) { bulkSync { id } } }';

/** Runs an action on `id` with the caller's own key; it must succeed. */
async function act(gateway: LiveGateway, mutation: string, id: string): Promise<void> {
  const answer = await gateway.t.app.yoga.fetch('http://gateway.test/graphql', {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...OWN },
    body: JSON.stringify({ query: mutation, variables: { id } }),
  });
  expect(((await answer.json()) as { errors?: unknown }).errors).toBeUndefined();
}

describe('an action seen live', () => {
  it('reaches a subscriber of an idle sync at once, not at the idle cadence', async () => {
    const gateway = await startLiveGateway();
    const a = watch(gateway.open(), WATCH, { id: SYNC });
    const b = watch(gateway.open(), WATCH, { id: SYNC });
    await until(() => a.events.length === 1 && b.events.length === 1);
    expect(executionOf(a.events[0])).toBeNull();
    // Idle: the next poll is 30 s away on the test's clock, which does not move from here on.
    const idleTimer = gateway.scheduler.pending().map((timer) => timer.ms);
    expect(Math.min(...idleTimer)).toBeGreaterThanOrEqual(25_000);

    await act(gateway, START, SYNC);
    await until(() => a.events.length === 2 && b.events.length === 2);
    for (const w of [a, b]) {
      expect(['CREATED', 'SCHEDULED', 'RUNNING']).toContain(executionOf(w.events[1])?.['status']);
      expect(w.events[1]?.data?.['bulkSync']).toMatchObject({ name: 'HubSpot → Snowflake' });
    }
    // Polled busily from here: Polytomic may list a started run a little later.
    const next = Math.min(...gateway.scheduler.pending().map((timer) => timer.ms));
    expect(next).toBeLessThanOrEqual(INTERVAL_MS * 1.05 + 1);
    // The sync's own record: one read shared by both subscribers per event; the action dropped
    // it, so the second event reads it afresh (a rename or a pause shows too).
    expect(gateway.t.sim.calls('sync')).toBe(2);
    expect(gateway.t.sim.calls('status')).toBe(2);
  });

  it('sends a subscriber the sync’s new state after a pause, though its status did not change', async () => {
    const gateway = await startLiveGateway();
    const subscriber = watch(
      gateway.open(),
      'subscription ($id: ID!) { bulkSync(id: $id) { active status { currentExecution { status } } } }',
      { id: SYNC },
    );
    await until(() => subscriber.events.length === 1);
    expect(subscriber.events[0]?.data?.['bulkSync']).toMatchObject({ active: true });
    await act(gateway, PAUSE, SYNC);
    await until(() => subscriber.events.length === 2);
    expect(subscriber.events[1]?.data?.['bulkSync']).toEqual({
      active: false,
      status: { currentExecution: null },
    });
  });

  it('sends the new state to a watcher with another key too, whose copy of the sync was cached', async () => {
    const gateway = await startLiveGateway();
    const query =
      'subscription ($id: ID!) { bulkSync(id: $id) { active status { currentExecution { status } } } }';
    const mine = watch(gateway.open(), query, { id: SIM_SYNCS.orders });
    const other = gateway.open({ connectionParams: { authorization: `Bearer ${SIM_OTHER_KEY}` } });
    const theirs = watch(other, query, { id: SIM_SYNCS.orders });
    await until(() => mine.events.length === 1 && theirs.events.length === 1);
    for (const w of [mine, theirs]) {
      expect(w.events[0]?.data?.['bulkSync']).toMatchObject({ active: true });
    }
    // Each key's copy of the record is now in the catalogue (CATALOG_TTL_MS): a read per key.
    expect(gateway.t.sim.calls('sync')).toBe(2);

    await act(gateway, PAUSE, SIM_SYNCS.orders);
    await until(() => mine.events.length === 2 && theirs.events.length === 2);
    for (const w of [mine, theirs]) {
      expect(w.events[1]?.data?.['bulkSync']).toMatchObject({ active: false });
    }
  });
});
