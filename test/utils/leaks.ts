import { expect } from 'vitest';
import { SIM_DEPLOYMENT_KEY, SIM_KEY, SIM_ORG_ID } from '../../tools/simulator/index.js';
import type { TestApp } from './test-app.js';

/** The on-premises service credential's `Authorization` value (Basic base64(org:key)). */
export const BASIC_VALUE = Buffer.from(`${SIM_ORG_ID}:${SIM_DEPLOYMENT_KEY}`).toString('base64');

/** The default secrets of a test app: the simulator keys and the on-premises Basic value. */
export const SIM_SECRETS: readonly string[] = [SIM_KEY, SIM_DEPLOYMENT_KEY, BASIC_VALUE];

const STACK_FRAME = /\bat .*\.[cm]?[jt]s:\d+/;
const BEARER = /bearer\s+\S/i;
const BASIC = /basic\s+[a-z0-9+/=]{8,}/i;

/**
 * Asserts that a text a client (or a log reader) received holds no stack frame, no upstream
 * origin and none of `secrets`, and no `Bearer <x>` / `Basic <x>` credential.
 */
export function expectClean(text: string, upstreamUrl: string, secrets: readonly string[]): void {
  expect(text).not.toMatch(STACK_FRAME);
  expect(text).not.toContain(upstreamUrl);
  expect(text).not.toContain(new URL(upstreamUrl).host);
  for (const secret of secrets) expect(text).not.toContain(secret);
  expect(text).not.toMatch(BEARER);
  expect(text).not.toMatch(BASIC);
}

/**
 * Asserts that nothing internal leaked: no stack frame and no upstream origin in the response
 * text, and no credential in the response or in any log line the gateway wrote.
 */
export function expectNoLeak(t: TestApp, text: string, secrets: readonly string[] = []): void {
  expect(text).not.toMatch(STACK_FRAME);
  expect(text).not.toContain(t.sim.url);
  expect(text).not.toContain(new URL(t.sim.url).host);
  for (const secret of [SIM_KEY, ...secrets]) {
    expect(text).not.toContain(secret);
    for (const line of t.logs) expect(line).not.toContain(secret);
  }
  for (const line of t.logs) expect(line).not.toMatch(/bearer\s/i);
  for (const line of t.logs) expect(line).not.toMatch(BASIC);
}
