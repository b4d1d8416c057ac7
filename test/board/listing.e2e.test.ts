import { expect, it } from 'vitest';
import { GatewayError } from '../../board/src/transport.js';
import { errorWords } from '../../board/src/words.js';
import { SIM_CATALOGUE_SYNCS, SIM_SYNCS } from '../../tools/simulator/index.js';
import {
  card,
  consoleErrors,
  describeWithBrowser,
  openBoard,
  shownNames,
  startBoardGateway,
} from '../utils/browser.js';
import { registerSecrets } from '../utils/log-capture.js';

// What the board shows for a key: every sync it sees, none, or the key's refusal; and a sync's
// past runs in the history dialog.

const LIST = /* GraphQL */ `
  query { allBulkSyncs(first: 50) { nodes { id name } pageInfo { hasNextPage } } }
`;
const HISTORY = /* GraphQL */ `
  query ($id: ID!, $after: String) {
    bulkSync(id: $id) {
      executions(first: 10, after: $after) { nodes { id } pageInfo { endCursor } }
    }
  }
`;

describeWithBrowser('the board’s listing', () => {
  it('lists every sync the key sees, by name, in the order allBulkSyncs gives', async () => {
    const gateway = await startBoardGateway();
    const { body } = await gateway.query(LIST);
    const listing = (body.data as { allBulkSyncs: { nodes: { id: string; name: string }[] } })
      .allBulkSyncs;
    expect(listing.nodes.map((n) => n.id).sort()).toEqual(
      [...Object.values(SIM_SYNCS), ...Object.values(SIM_CATALOGUE_SYNCS)].sort(),
    );

    const page = await openBoard(gateway.url);
    await page
      .locator('[data-sync-id]')
      .nth(listing.nodes.length - 1)
      .waitFor({ timeout: 5000 });
    expect(await shownNames(page)).toEqual(listing.nodes.map((n) => n.name));
    expect(await page.locator('[data-problem], [data-empty]').count()).toBe(0);
    // The page's policy (CSP) refused nothing, and nothing failed to load.
    expect(consoleErrors(page)).toEqual([]);
  });

  it('shows the empty state for a key that sees no sync', async () => {
    const gateway = await startBoardGateway();
    gateway.sim.addKey('sim_key_seeing_none', []);
    registerSecrets(['sim_key_seeing_none']);

    const page = await openBoard(gateway.url, { key: 'sim_key_seeing_none' });
    const empty = page.locator('[data-empty]');
    await empty.waitFor({ timeout: 5000 });
    expect(await empty.textContent()).toBe('No bulk syncs: this key sees none.');
    expect(await page.locator('[data-sync-id]').count()).toBe(0);
  });

  it('shows the UNAUTHENTICATED words for a typed-in key that Polytomic refuses', async () => {
    const gateway = await startBoardGateway();
    registerSecrets(['sim_refused_key']);
    const page = await openBoard(gateway.url);
    await page.locator('[data-sync-id]').first().waitFor({ timeout: 5000 });

    await page.fill('#api-key', 'sim_refused_key');
    await page.getByRole('button', { name: 'Use key' }).click();
    const problem = page.locator('[data-problem]');
    await problem.waitFor({ timeout: 5000 });
    expect(await problem.getAttribute('data-problem')).toBe('UNAUTHENTICATED');
    expect(await problem.textContent()).toBe(errorWords(new GatewayError('', 'UNAUTHENTICATED')));
    expect(await page.locator('[data-sync-id]').count()).toBe(0);
  });

  it('shows a sync’s first 10 runs in the history dialog; Older runs the next 10', async () => {
    const gateway = await startBoardGateway();
    const id = SIM_CATALOGUE_SYNCS.hubspotRedshift; // about 72 past runs
    type Runs = { nodes: { id: string }[]; pageInfo: { endCursor: string } };
    const pageOf = async (after: string | null) => {
      const { body } = await gateway.query(HISTORY, { id, after });
      return (body.data as { bulkSync: { executions: Runs } }).bulkSync.executions;
    };
    const first = await pageOf(null);
    const second = await pageOf(first.pageInfo.endCursor);
    expect(first.nodes).toHaveLength(10);
    expect(second.nodes).toHaveLength(10);

    const page = await openBoard(gateway.url);
    await card(page, id).getByRole('button', { name: 'History' }).click();
    const dialog = page.getByRole('dialog', { name: 'History of HubSpot → Redshift' });
    const runs = dialog.locator('li[data-execution-id]');
    await runs.nth(9).waitFor({ timeout: 5000 });
    const shown = () => runs.evaluateAll((items) => items.map((li) => li.dataset['executionId']));
    expect(await shown()).toEqual(first.nodes.map((n) => n.id));

    await dialog.getByRole('button', { name: 'Older runs' }).click();
    await runs.nth(19).waitFor({ timeout: 5000 });
    expect(await shown()).toEqual([...first.nodes, ...second.nodes].map((n) => n.id));

    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'detached', timeout: 5000 });
  });

  it('lists again by itself when the listing failed while the connection stayed up', async () => {
    // One attempt per call: the first listing fails outright, as Polytomic down would.
    const gateway = await startBoardGateway({ UPSTREAM_MAX_ATTEMPTS: '1' });
    gateway.sim.inject({ kind: 'status', status: 503 }, { times: 1, route: 'list' });
    const page = await openBoard(gateway.url);
    await page.locator('[data-problem="UPSTREAM_UNAVAILABLE"]').waitFor({ timeout: 5000 });
    expect(await page.locator('[data-sync-id]').count()).toBe(0);
    // The board's retry (5 s): every sync, and the banner gone, with no reload or reconnect.
    await page.locator('[data-sync-id]').nth(13).waitFor({ timeout: 10_000 });
    expect(await page.locator('[data-problem]').count()).toBe(0);
    expect(await page.locator('[data-connection]').getAttribute('data-connection')).toBe('live');
    expect(gateway.sim.calls('list')).toBe(2);
  });
});
