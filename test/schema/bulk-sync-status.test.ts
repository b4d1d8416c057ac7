import { describe, expect, it } from 'vitest';
import { SIM_SYNCS } from '../../tools/simulator/index.js';
import { dataOf } from '../utils/operations.js';
import { startTestApp, type TestApp } from '../utils/test-app.js';

let t: TestApp;

describe('latestExecution', () => {
  it('is the current run while one runs, else the last one', async () => {
    t = await startTestApp();
    const answer = await t.query(
      'query ($ids: [ID!]!) { bulkSyncs(ids: $ids) { status { currentExecution { id } lastExecution { id } latestExecution { id } } } }',
      { ids: [SIM_SYNCS.backfill, SIM_SYNCS.idle] },
    );
    const [running, idle] = dataOf<{ status: Record<string, { id: string } | null> }[]>(
      answer,
      'bulkSyncs',
    );
    expect(running?.status['currentExecution']).not.toBeNull();
    expect(running?.status['latestExecution']).toEqual(running?.status['currentExecution']);
    expect(idle?.status['currentExecution']).toBeNull();
    expect(idle?.status['latestExecution']).toEqual(idle?.status['lastExecution']);
    expect(idle?.status['lastExecution']).not.toBeNull();
  });
});
