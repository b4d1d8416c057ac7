import { expect, it } from 'vitest';
import { GatewayError } from '../../board/src/transport.js';
import { errorWords } from '../../board/src/words.js';
import { SIM_CATALOGUE_SYNCS, SIM_KEY, SIM_MANUAL_RUN } from '../../tools/simulator/index.js';
import {
  BOARD_POLL_MS,
  card,
  currentBadge,
  describeWithBrowser,
  openBoard,
  recordAnnouncements,
  recordStatuses,
  startBoardGateway,
  startOnSimulator,
  untilStatus,
} from '../utils/browser.js';
import { registerSecrets } from '../utils/log-capture.js';

// Run now, Cancel and their refusals, by mouse and by keyboard. The simulator's clock stands
// still: a run moves on only when the test advances it.

/** Manual and idle: the natural target of Run now. */
const IDLE = SIM_CATALOGUE_SYNCS.hubspotSnowflake;
const IDLE_NAME = 'HubSpot → Snowflake';

describeWithBrowser('the board’s actions', () => {
  it('Run now, with the key typed into the key field, shows CREATED, then RUNNING', async () => {
    const gateway = await startBoardGateway();
    const page = await openBoard(gateway.url);
    await untilStatus(page, IDLE, 'IDLE');
    await page.fill('#api-key', SIM_KEY);
    await page.getByRole('button', { name: 'Use key' }).click();
    await page.getByText(`Using your API key ••••${SIM_KEY.slice(-4)}`).waitFor({ timeout: 5000 });

    await card(page, IDLE).getByRole('button', { name: 'Run now' }).click();
    await untilStatus(page, IDLE, 'CREATED');
    expect(gateway.sim.calls('start', IDLE)).toBe(1);
    gateway.sim.advance(SIM_MANUAL_RUN.createdMs);
    await untilStatus(page, IDLE, 'RUNNING', BOARD_POLL_MS + 2000);
  });

  it('says each status change of a sync in words, in the ARIA live region', async () => {
    const gateway = await startBoardGateway();
    // A key seeing this sync only: no other sync's change is said meanwhile.
    gateway.sim.addKey('sim_key_one_sync', [IDLE]);
    registerSecrets(['sim_key_one_sync']);
    const page = await openBoard(gateway.url, { key: 'sim_key_one_sync' });
    await untilStatus(page, IDLE, 'IDLE');
    const said = await recordAnnouncements(page);

    await card(page, IDLE).getByRole('button', { name: 'Run now' }).click();
    await untilStatus(page, IDLE, 'CREATED');
    gateway.sim.advance(SIM_MANUAL_RUN.createdMs);
    await untilStatus(page, IDLE, 'RUNNING', BOARD_POLL_MS + 2000);
    expect(await said()).toEqual([`${IDLE_NAME}: created`, `${IDLE_NAME}: running`]);
    expect(await page.locator('[data-announcer]').getAttribute('aria-live')).toBe('polite');
  });

  it('disables Run now on a running sync; Cancel shows CANCELING, then CANCELED', async () => {
    const gateway = await startBoardGateway();
    await startOnSimulator(gateway.sim, IDLE);
    gateway.sim.advance(SIM_MANUAL_RUN.createdMs);
    const page = await openBoard(gateway.url, { key: SIM_KEY });
    await untilStatus(page, IDLE, 'RUNNING');
    const row = card(page, IDLE);
    expect(await row.getByRole('button', { name: 'Run now' }).isDisabled()).toBe(true);
    const shown = await recordStatuses(page, IDLE);

    await row.getByRole('button', { name: 'Cancel' }).click();
    await untilStatus(page, IDLE, 'CANCELING');
    gateway.sim.advance(SIM_MANUAL_RUN.cancelMs);
    await untilStatus(page, IDLE, 'IDLE', BOARD_POLL_MS + 2000);
    expect((await shown()).map((s) => s.status)).toEqual(['RUNNING', 'CANCELING', 'CANCELED']);
    expect(await row.locator('[data-last-run] [data-status]').getAttribute('data-status')).toBe(
      'CANCELED',
    );
    expect(gateway.sim.calls('cancel', IDLE)).toBe(1);
  });

  it('an action without a key shows the FORBIDDEN words, and nothing starts', async () => {
    const gateway = await startBoardGateway();
    const page = await openBoard(gateway.url);
    const row = card(page, IDLE);
    await row.getByRole('button', { name: 'Run now' }).click();
    const message = row.locator('.card__error');
    await message.waitFor({ timeout: 5000 });
    expect(await message.textContent()).toBe(errorWords(new GatewayError('', 'FORBIDDEN')));
    expect(gateway.sim.calls('start')).toBe(0);
    expect(await currentBadge(page, IDLE).getAttribute('data-status')).toBe('IDLE');
  });

  it('Tab reaches Run now, and Enter on it starts the sync', async () => {
    const gateway = await startBoardGateway();
    const page = await openBoard(gateway.url, { key: SIM_KEY });
    const runNow = card(page, IDLE).getByRole('button', { name: 'Run now' });
    await untilStatus(page, IDLE, 'IDLE');
    let presses = 0;
    while (!(await runNow.evaluate((button) => button === document.activeElement))) {
      if (++presses > 60) throw new Error('Tab did not reach Run now in 60 presses');
      await page.keyboard.press('Tab');
    }
    await page.keyboard.press('Enter');
    await untilStatus(page, IDLE, 'CREATED');
    expect(gateway.sim.calls('start', IDLE)).toBe(1);
  });
});
