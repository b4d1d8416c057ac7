import type { App } from '../../src/app.js';
import { until } from './wait.js';

/** Anything holding a gateway: a test app, a replica. */
export interface HasApp {
  app: App;
}

/** The Prometheus text of `/metrics`, asked in-process (`yoga.fetch`, no port). */
export async function scrape(target: HasApp): Promise<string> {
  const response = await target.app.yoga.fetch('http://gateway.test/metrics');
  return response.text();
}

/**
 * The value of one exact series (`name` or `name{label="value",…}`) in Prometheus text; undefined
 * when the series is absent.
 */
export function seriesValue(text: string, series: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

/** The sum of every sample of `name`, whatever its labels (0 when there is none). */
export function sumSeries(text: string, name: string): number {
  let total = 0;
  for (const line of text.split('\n')) {
    if (line.startsWith(`${name} `) || line.startsWith(`${name}{`)) {
      total += Number(line.slice(line.lastIndexOf(' ') + 1));
    }
  }
  return total;
}

/** The value of one exact series on `/metrics`; throws when it is absent. */
export async function metric(target: HasApp, series: string): Promise<number> {
  const value = seriesValue(await scrape(target), series);
  if (value === undefined) throw new Error(`metric ${series} not found`);
  return value;
}

/** `polytomic_upstream_breaker_state`: 0 closed, 1 half-open, 2 open. */
export async function breakerState(target: HasApp): Promise<number | undefined> {
  return seriesValue(await scrape(target), 'polytomic_upstream_breaker_state');
}

/** Waits until the sum of every sample of `name` reads `value`. */
export function untilMetric(
  target: HasApp,
  name: string,
  value: number,
  timeoutMs = 5000,
): Promise<void> {
  return until(
    async () => sumSeries(await scrape(target), name) === value,
    timeoutMs,
    `${name} = ${value}`,
  );
}
