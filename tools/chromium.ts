// Headless Chromium for the board's browser tests, its screenshot and its benchmark: Debian's
// `chromium` package driven by playwright-core (no browser download works here, and
// puppeteer-core 24+ needs Node 22).
import { existsSync } from 'node:fs';
import { type Browser, chromium } from 'playwright-core';

/** Where Chromium is: CHROMIUM_PATH, else Debian's /usr/bin/chromium; undefined when absent. */
export function chromiumPath(): string | undefined {
  const candidates = [
    process.env['CHROMIUM_PATH'],
    '/usr/bin/chromium',
    '/usr/bin/chromium-browser',
  ];
  return candidates.find((path): path is string => Boolean(path && existsSync(path)));
}

/**
 * A headless Chromium that stays on this machine: without the background-networking flags it
 * keeps dialling Google's hosts, which a closed network refuses many times a second.
 */
export async function launchChromium(): Promise<Browser> {
  const executablePath = chromiumPath();
  if (!executablePath) {
    throw new Error('Chromium not found: apt-get install chromium, or set CHROMIUM_PATH');
  }
  return chromium.launch({
    executablePath,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}
