import { describe, expect, it } from 'vitest';
import {
  SIM_CATALOGUE_SYNCS,
  SIM_CONNECTIONS,
  SIM_SECRET_PREFIX,
  SIM_SYNCS,
} from '../../tools/simulator/index.js';
import { scrape } from '../utils/metrics.js';
import { startTestApp, type TestApp } from '../utils/test-app.js';

let t: TestApp;

describe("a sync's own fields", () => {
  it('come from one record call per sync, and its ends from one call per connection', async () => {
    t = await startTestApp();
    const answer = await t.query(
      /* GraphQL */ `
      query ($id: ID!) {
        bulkSync(id: $id) {
          name active mode rawMode
          schedule { frequency rawFrequency minute hour dayOfWeek dayOfMonth month }
          source { id name type typeName status statusError }
          destination { id name type }
          createdBy { type } updatedBy { type }
          createdAt updatedAt
          status { latestExecution { status } }
        }
      }`,
      { id: SIM_SYNCS.orders },
    );
    expect(answer.body.errors).toBeUndefined();
    expect(answer.body.data?.['bulkSync']).toMatchObject({
      name: 'Postgres → Snowflake',
      active: true,
      mode: 'SNAPSHOT',
      rawMode: 'snapshot',
      schedule: { frequency: 'CONTINUOUS', rawFrequency: 'continuous' },
      source: {
        id: SIM_CONNECTIONS.postgres,
        type: 'postgresql',
        typeName: 'PostgreSQL',
        statusError: null,
      },
      destination: { id: SIM_CONNECTIONS.snowflake, type: 'snowflake' },
    });
    expect([
      t.sim.calls('status'),
      t.sim.calls('sync'),
      t.sim.calls('connection'),
      t.sim.calls(),
    ]).toEqual([1, 1, 2, 4]);
    expect(answer.text).not.toContain(SIM_SECRET_PREFIX);
    // The eleven fields that read the record share one lookup of it in the catalogue store.
    const lookups = (await scrape(t))
      .split('\n')
      .filter((line) => line.startsWith('gateway_catalogue_lookups_total{kind="sync"'));
    expect(lookups).toEqual(['gateway_catalogue_lookups_total{kind="sync",result="miss"} 1']);
  });

  it('each fail alone: the status stays, with an error at every failed field', async () => {
    t = await startTestApp();
    t.sim.inject({ kind: 'status', status: 503 }, { route: 'sync' });
    const answer = await t.query(
      'query ($id: ID!) { bulkSync(id: $id) { id name active status { nextExecutionTime } } }',
      { id: SIM_SYNCS.idle },
    );
    const sync = answer.body.data?.['bulkSync'] as Record<string, unknown>;
    expect(sync['name']).toBeNull();
    expect(sync['active']).toBeNull();
    expect(sync['status']).not.toBeNull();
    expect(answer.body.errors?.map((e) => [e.path, e.extensions?.code])).toEqual([
      [['bulkSync', 'name'], 'UPSTREAM_UNAVAILABLE'],
      [['bulkSync', 'active'], 'UPSTREAM_UNAVAILABLE'],
    ]);
  });

  it("reads an older API version's schedule", async () => {
    t = await startTestApp({ POLYTOMIC_API_VERSION: '2024-02-08' });
    const answer = await t.query(
      'query ($id: ID!) { bulkSync(id: $id) { schedule { frequency minute } } }',
      { id: SIM_CATALOGUE_SYNCS.hubspotRedshift },
    );
    expect(answer.body).toEqual({
      data: { bulkSync: { schedule: { frequency: 'HOURLY', minute: '15' } } },
    });
  });
});
