import { expect, it } from 'vitest';
import { SIM_CATALOGUE_SYNCS, SIM_MANUAL_RUN } from '../../tools/simulator/index.js';
import {
  BOARD_POLL_MS,
  type BoardGateway,
  describeWithBrowser,
  openBoard,
  recordStatuses,
  startBoardGateway,
  startOnSimulator,
  untilConnection,
  untilStatus,
} from '../utils/browser.js';
import { untilMetric } from '../utils/metrics.js';

// The board kept current over its WebSocket: a change upstream reaches the page within one poll,
// and the page rides out the gateway going away, whenever it goes.

const SYNC = SIM_CATALOGUE_SYNCS.hubspotSnowflake;
const STATUSES = /* GraphQL */ `
  query { allBulkSyncs(first: 50) { nodes { id status { currentExecution { status } } } } }
`;

/** Each sync's current status by id, as a fresh query gives it (IDLE: no current run). */
async function freshStatuses(gateway: BoardGateway): Promise<Record<string, string>> {
  const { body } = await gateway.query(STATUSES);
  const { nodes } = (
    body.data as {
      allBulkSyncs: { nodes: { id: string; status: { currentExecution: { status: string } } }[] };
    }
  ).allBulkSyncs;
  return Object.fromEntries(nodes.map((n) => [n.id, n.status.currentExecution?.status ?? 'IDLE']));
}

describeWithBrowser('the live board', () => {
  it('shows a change made on the simulator within one busy poll interval + 1 s', async () => {
    const gateway = await startBoardGateway();
    // A run in progress, so the gateway polls this sync every POLL_INTERVAL_MS.
    await startOnSimulator(gateway.sim, SYNC);
    const page = await openBoard(gateway.url);
    await untilStatus(page, SYNC, 'CREATED');
    await untilMetric(gateway, 'gateway_active_pollers', 14);
    const shown = await recordStatuses(page, SYNC);

    const changedAt = Date.now();
    gateway.sim.advance(SIM_MANUAL_RUN.createdMs); // created → running, on the simulator alone
    await untilStatus(page, SYNC, 'RUNNING', BOARD_POLL_MS + 3000);
    const running = (await shown()).find((s) => s.status === 'RUNNING');
    const elapsed = (running?.at ?? Number.POSITIVE_INFINITY) - changedAt;
    expect(elapsed).toBeLessThanOrEqual(BOARD_POLL_MS + 1000);
  });

  it('shows a gateway restart: reconnecting, no row live, then fresh live rows', async () => {
    const gateway = await startBoardGateway();
    const page = await openBoard(gateway.url);
    await untilStatus(page, SYNC, 'IDLE');
    await untilConnection(page, 'live');
    const rows = page.locator('[data-sync-id]');
    const notLive = page.locator('[data-sync-id].card--not-live');
    expect(await notLive.count()).toBe(0);

    await gateway.stop();
    await page.locator('[data-connection="reconnecting"], [data-connection="offline"]').waitFor({
      timeout: 5000,
    });
    expect(await notLive.count()).toBe(14);
    expect(await rows.count()).toBe(14);
    // Meanwhile, upstream, the sync starts.
    await startOnSimulator(gateway.sim, SYNC);

    await gateway.start();
    await untilConnection(page, 'live', 10_000);
    await untilStatus(page, SYNC, 'CREATED');
    await page.waitForFunction(() => !document.querySelector('.card--not-live'), null, {
      timeout: 5000,
    });
    const statuses = await rows.evaluateAll((cards) =>
      Object.fromEntries(
        cards.map((c) => [
          c.getAttribute('data-sync-id'),
          c.querySelector('.card__now [data-status]')?.getAttribute('data-status'),
        ]),
      ),
    );
    expect(statuses).toEqual(await freshStatuses(gateway));
  });

  it('shows the gateway unreachable when it stops before the page’s script runs', async () => {
    const gateway = await startBoardGateway();
    const page = await openBoard(gateway.url, {
      // The page and its styles load; the gateway stops before the script is handed over.
      before: (p) =>
        p.route('**/board/assets/*.js', async (route) => {
          const response = await route.fetch();
          await gateway.stop();
          await route.fulfill({ response });
        }),
    });
    const banner = page.locator('[data-problem="UNREACHABLE"]');
    await banner.waitFor({ timeout: 10_000 });
    expect(await banner.textContent()).toBe('The gateway cannot be reached. Retrying…');
    expect(await page.locator('[data-connection]').getAttribute('data-connection')).toBe('offline');
    expect(await page.locator('[data-sync-id]').count()).toBe(0);

    await gateway.start();
    await untilConnection(page, 'live', 10_000);
    await untilStatus(page, SYNC, 'IDLE');
    expect(await page.locator('[data-problem]').count()).toBe(0);
    expect(await page.locator('[data-sync-id]').count()).toBe(14);
  });
});
