// npm run board:screenshot: the board on the simulator, as `npm run demo` shows it, to
// docs/board.png (the README's picture). With --states, also docs/board-reconnecting.png (the
// gateway gone) and docs/board-error.png (a key Polytomic refuses).
import { createApp } from '../src/app.js';
import { loadConfig } from '../src/config.js';
import { launchChromium } from './chromium.js';
import { demoEnv } from './demo-config.js';
import { createSimulator, SIM_KEY } from './simulator/index.js';

// Three columns of cards, within the README's 200 KB for a PNG.
const VIEWPORT = { width: 1200, height: 760 };

async function main() {
  const states = process.argv.includes('--states');
  const simulator = createSimulator();
  const simulatorUrl = await simulator.start();
  // The demo's own gateway, quiet and on a free port.
  const app = createApp(
    loadConfig(demoEnv(simulatorUrl, { LOG_LEVEL: 'silent', PORT: '0', HOST: '127.0.0.1' })),
  );
  const url = await app.start();
  const browser = await launchChromium();
  try {
    const page = await browser.newPage({ viewport: VIEWPORT });
    await page.goto(`${url}/board#key=${SIM_KEY}`);
    await page.waitForSelector('[data-connection="live"]');
    await page.waitForFunction(
      () =>
        document.querySelectorAll('[data-sync-id]').length > 0 &&
        document.querySelectorAll('.card--not-live').length === 0,
    );
    await page.screenshot({ path: 'docs/board.png' });
    process.stdout.write('wrote docs/board.png\n');
    if (states) {
      const refused = await browser.newPage({ viewport: VIEWPORT });
      await refused.goto(`${url}/board#key=not-a-key`);
      await refused.waitForSelector('[data-problem]');
      await refused.screenshot({ path: 'docs/board-error.png' });
      process.stdout.write('wrote docs/board-error.png\n');
      await app.stop();
      await page.waitForSelector('[data-connection="reconnecting"], [data-connection="offline"]');
      await page.screenshot({ path: 'docs/board-reconnecting.png' });
      process.stdout.write('wrote docs/board-reconnecting.png\n');
    }
  } finally {
    await browser.close();
    await app.stop();
    await simulator.close();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`board:screenshot failed: ${String(error)}\n`);
  process.exit(1);
});
