import type { Browser, Locator, Page } from 'playwright-core';
import { beforeAll, beforeEach, describe } from 'vitest';
import { type App, createApp } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import { createLogger } from '../../src/observability/logger.js';
import { chromiumPath, launchChromium } from '../../tools/chromium.js';
import { SIM_KEY, type Simulator } from '../../tools/simulator/index.js';
import { leftover } from './leftovers.js';
import { captureLogs, type GraphQLResponse, startSimulator, testEnv } from './test-app.js';

// The live status board (board/, served at /board) in headless Chromium: one browser per test
// file, a fresh page per test, and a gateway serving the built board (vitest's global setup
// builds it when stale).

/** POLL_INTERVAL_MS of the board's gateway: real timers, so small. */
export const BOARD_POLL_MS = 1000;

let browser: Browser | undefined;

/**
 * The one way a file declares browser tests: skipped with one console warning when Chromium is
 * absent and `CI` is unset; with `CI` set, every test fails with the reason instead. The file's
 * one Chromium is launched before its first test and closed with the leftovers after its last.
 */
export function describeWithBrowser(name: string, body: () => void): void {
  const reason = chromiumPath()
    ? undefined
    : 'no Chromium (apt-get install chromium, or set CHROMIUM_PATH)';
  const skip = reason !== undefined && !process.env['CI'];
  if (skip) console.warn(`Browser tests skipped: ${reason} (set CI to make this a failure)`);
  describe.skipIf(skip)(name, () => {
    beforeAll(async () => {
      if (reason) return;
      const launched = await launchChromium();
      browser = launched;
      leftover('Chromium', () => launched.close());
    });
    beforeEach(() => {
      if (reason) throw new Error(`Browser tests need Chromium (CI is set): ${reason}`);
    });
    body();
  });
}

const pageErrors = new WeakMap<Page, string[]>();

/** Options of {@link openBoard}. */
export interface BoardOptions {
  /** The user's key, given as the address's `#key=` fragment (as `npm run demo` does). */
  key?: string;
  /** Runs on the page before it loads (routes, say). */
  before?: (page: Page) => Promise<unknown>;
}

/**
 * The board of the gateway at `url` in a page of its own (a fresh context: its own
 * sessionStorage); closed with the leftovers, which then fail the test if the page threw.
 * Console errors are kept for `consoleErrors`.
 */
export async function openBoard(url: string, options: BoardOptions = {}): Promise<Page> {
  if (!browser) throw new Error('openBoard runs only inside describeWithBrowser');
  const context = await browser.newContext();
  const page = await context.newPage();
  const thrown: string[] = [];
  const logged: string[] = [];
  pageErrors.set(page, logged);
  page.on('pageerror', (error) => thrown.push(error.stack ?? error.message));
  page.on('console', (message) => {
    if (message.type() === 'error') logged.push(message.text());
  });
  leftover('browser page', async () => {
    await context.close();
    if (thrown.length > 0) throw new Error(`the board threw:\n${thrown.join('\n')}`);
  });
  await options.before?.(page);
  const fragment = options.key ? `#key=${encodeURIComponent(options.key)}` : '';
  await page.goto(`${url}/board${fragment}`);
  return page;
}

/** What the page logged at error level so far (failed connections, CSP refusals). */
export function consoleErrors(page: Page): string[] {
  return pageErrors.get(page) ?? [];
}

// ---- Reading the board ----

/** The card of one sync. */
export const card = (page: Page, id: string): Locator => page.locator(`[data-sync-id="${id}"]`);

/** The status badge of a card's current run (`IDLE` when none). */
export const currentBadge = (page: Page, id: string): Locator =>
  card(page, id).locator('.card__now [data-status]');

/** Resolves once the card's current run shows `status`. */
export function untilStatus(page: Page, id: string, status: string, timeout = 5000) {
  return card(page, id).locator(`.card__now [data-status="${status}"]`).waitFor({ timeout });
}

/** Resolves once the connection badge reads `state`. */
export function untilConnection(page: Page, state: string, timeout = 5000) {
  return page.locator(`[data-connection="${state}"]`).waitFor({ timeout });
}

/** The sync names in the order the board shows them. */
export const shownNames = (page: Page): Promise<string[]> =>
  page.locator('[data-sync-id] h2').allTextContents();

/** One status a card showed, and when (the page's Date.now, the same clock as the test's). */
export interface Shown {
  status: string;
  at: number;
}

/**
 * Records each status the card of `id` shows from now on: its current run's, or its last run's
 * when it has none (as the board announces it). Returns a reader of the statuses so far; the
 * first is the one shown when recording began.
 */
export async function recordStatuses(page: Page, id: string): Promise<() => Promise<Shown[]>> {
  await page.evaluate((syncId) => {
    const shown: { status: string; at: number }[] = [];
    const read = () => {
      const row = document.querySelector(`[data-sync-id="${syncId}"]`);
      const now = row?.querySelector('.card__now [data-status]')?.getAttribute('data-status');
      const last = row?.querySelector('[data-last-run] [data-status]')?.getAttribute('data-status');
      const status = (now === 'IDLE' ? last : now) ?? 'none';
      if (shown.at(-1)?.status !== status) shown.push({ status, at: Date.now() });
    };
    read();
    new MutationObserver(read).observe(document.body, {
      subtree: true,
      childList: true,
      attributes: true,
      attributeFilter: ['data-status'],
    });
    (globalThis as { shown?: typeof shown }).shown = shown;
  }, id);
  return () => page.evaluate(() => (globalThis as unknown as { shown: Shown[] }).shown);
}

/** Records each text the ARIA live region says from now on (an empty one says nothing). */
export async function recordAnnouncements(page: Page): Promise<() => Promise<string[]>> {
  await page.evaluate(() => {
    const said: string[] = [];
    const region = document.querySelector('[data-announcer]') as HTMLElement;
    new MutationObserver(() => {
      if (region.textContent) said.push(region.textContent);
    }).observe(region, {
      subtree: true,
      childList: true,
      characterData: true,
    });
    (globalThis as { said?: string[] }).said = said;
  });
  return () => page.evaluate(() => (globalThis as unknown as { said: string[] }).said);
}

// ---- The gateway ----

/**
 * A listening gateway serving the board (BOARD_ENABLED, POLL_INTERVAL_MS = BOARD_POLL_MS, real
 * timers) on a simulator whose clock stands still until the test moves it (`sim.advance`).
 */
export interface BoardGateway {
  sim: Simulator;
  /** The gateway running now (a new one after each `start`). */
  app: App;
  /** `http://127.0.0.1:<port>`: the same port for every gateway `start` brings up. */
  url: string;
  /** One operation over HTTP, read with the service key (as the board reads without a key). */
  query(query: string, variables?: Record<string, unknown>): Promise<GraphQLResponse>;
  /** Stops the gateway (gracefully); the simulator stays. */
  stop(): Promise<void>;
  /** Starts a new gateway on the same port, against the same simulator. */
  start(): Promise<void>;
}

/** Starts a run of `id` on the simulator itself, not through the gateway. */
export async function startOnSimulator(sim: Simulator, id: string): Promise<void> {
  const response = await fetch(`${sim.url}/api/bulk/syncs/${id}/executions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${SIM_KEY}`, 'content-type': 'application/json' },
    body: '{}',
  });
  if (!response.ok) throw new Error(`the simulator refused to start ${id}: ${response.status}`);
}

/** Starts a simulator and a board gateway on it; both are closed with the leftovers. */
export async function startBoardGateway(
  env: Record<string, string | undefined> = {},
): Promise<BoardGateway> {
  const frozen = Date.now();
  const sim = await startSimulator({ now: () => frozen });
  let port = 0;
  const launch = async () => {
    const { sink } = captureLogs();
    const config = loadConfig({
      ...testEnv(sim.url),
      BOARD_ENABLED: 'true',
      POLL_INTERVAL_MS: String(BOARD_POLL_MS),
      PORT: String(port),
      ...env,
    });
    const app = createApp(config, { logger: createLogger(config.logLevel, sink) });
    const stop = leftover('board gateway', () => app.stop());
    const url = await app.start();
    port = Number(new URL(url).port);
    return { app, url, stop };
  };
  let running = await launch();
  const gateway: BoardGateway = {
    sim,
    app: running.app,
    url: running.url,
    async query(query, variables) {
      const response = await fetch(`${running.url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ query, variables }),
      });
      const text = await response.text();
      return { status: response.status, body: JSON.parse(text) as GraphQLResponse['body'], text };
    },
    stop: () => running.stop(),
    async start() {
      running = await launch();
      gateway.app = running.app;
    },
  };
  return gateway;
}
