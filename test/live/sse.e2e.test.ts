import { describe, expect, it } from 'vitest';
import { envelope, syncId } from '../fixtures/status.js';
import { expectPollingStopped, round, startLive } from '../utils/live.js';
import { metric } from '../utils/metrics.js';
import { SUB_COUNT } from '../utils/operations.js';
import { countEvent, parsedEvent, sseInit, sseStream } from '../utils/sse.js';
import { until } from '../utils/wait.js';

describe('SSE over a real port', () => {
  it('streams with global fetch; closing the request stops the poller', async () => {
    const live = await startLive();
    const { t } = live;
    const id = syncId(1);
    t.sim.addSync(id, envelope({ recordCount: 1 }));
    const url = await t.app.start();
    const abort = new AbortController();
    const response = await fetch(`${url}/graphql`, {
      ...sseInit(SUB_COUNT, { id }),
      signal: abort.signal,
    });
    const reader = sseStream(response);
    expect(parsedEvent(await reader.next())).toEqual(countEvent(id, 1));

    t.sim.setStatus(id, envelope({ recordCount: 2 }));
    await round(live, 2, 1);
    expect(parsedEvent(await reader.next())).toEqual(countEvent(id, 2));

    abort.abort();
    await expectPollingStopped(live, 60_000);
    expect(t.sim.statusCalls()).toBe(2);
  });

  it('cancelling the body reader (no abort) also stops the poller', async () => {
    const { t, scheduler } = await startLive();
    const id = syncId(1);
    t.sim.addSync(id, envelope({ recordCount: 1 }));
    const url = await t.app.start();
    const reader = sseStream(await fetch(`${url}/graphql`, sseInit(SUB_COUNT, { id })));
    expect(parsedEvent(await reader.next())).toEqual(countEvent(id, 1));
    await reader.cancel();
    await until(() => scheduler.pending().length === 0);
    expect(await metric(t, 'gateway_active_pollers')).toBe(0);
  });

  it('refuses an SSE subscription without any credential (UNAUTHENTICATED, no upstream call)', async () => {
    const { t } = await startLive({ POLYTOMIC_API_KEY: undefined });
    const id = syncId(1);
    t.sim.addSync(id, envelope());
    const url = await t.app.start();
    const reader = sseStream(await fetch(`${url}/graphql`, sseInit(SUB_COUNT, { id })));
    const first = parsedEvent(await reader.next());
    expect(first?.payload.errors[0].extensions.code).toBe('UNAUTHENTICATED');
    expect(t.sim.statusCalls()).toBe(0);
  });

  it('forwards the Authorization header of the SSE request', async () => {
    const { t } = await startLive({ POLYTOMIC_API_KEY: undefined });
    const id = syncId(1);
    t.sim.addSync(id, envelope({ recordCount: 1 }));
    const url = await t.app.start();
    const reader = sseStream(
      await fetch(
        `${url}/graphql`,
        sseInit(SUB_COUNT, { id }, { authorization: 'Bearer sim_demo_key' }),
      ),
    );
    expect(parsedEvent(await reader.next())).toEqual(countEvent(id, 1));
    expect(t.sim.requests.map((r) => r.headers['authorization'])).toEqual(['Bearer sim_demo_key']);
  });
});
