import { Agent, fetch as undiciFetch } from 'undici';
import { onTestFinished, vi } from 'vitest';
import { SIM_KEY } from '../../tools/simulator/index.js';
import { leftover } from '../utils/leftovers.js';
import type { LiveTest } from '../utils/live.js';
import { createManualScheduler } from '../utils/manual-scheduler.js';
import { startTestApp } from '../utils/test-app.js';
import { webSocketWithHeaders } from '../utils/ws.js';

/** The page the recipes run on: a dev server on localhost, as a frontend's first hour. */
export const PAGE_ORIGIN = 'http://localhost:5173';

/**
 * What the recipes are handed: the user's own key (the simulator's), and Node 20's WebSocket
 * (`ws`) sending the page's Origin as a browser does.
 */
export const USER = {
  token: SIM_KEY,
  webSocketImpl: webSocketWithHeaders({ origin: PAGE_ORIGIN }),
} as const;

/** A gateway listening on a real port, as `npm run demo` runs it for a frontend. */
export interface FrontendGateway extends LiveTest {
  /** The GraphQL endpoint, `http://127.0.0.1:<port>/graphql`. */
  url: string;
}

/**
 * A listening gateway on a fresh simulator, with no service credential (so every answer shows
 * that the recipe sent the user's key), `CORS_ORIGINS` naming the page, poll timers on a manual
 * scheduler, and the simulator's clock stopped: a started run stays `created` until the test
 * moves it (`sim.advance`). Every `fetch` of the test carries the page's Origin, as a browser's
 * does, so the gateway's browser checks (CSRF) apply; it goes through an agent of the test's,
 * destroyed with the leftovers (undici may open a spare connection as an aborted stream closes,
 * which would hold the gateway's stop until undici's keep-alive timeout).
 */
export async function startFrontendGateway(): Promise<FrontendGateway> {
  const scheduler = createManualScheduler();
  const frozen = Date.now();
  const t = await startTestApp(
    { POLYTOMIC_API_KEY: undefined, CORS_ORIGINS: PAGE_ORIGIN },
    { scheduler },
    { now: () => frozen },
  );
  const base = await t.app.start();
  const agent = new Agent();
  leftover('undici agent of the page', () => agent.destroy());
  const fetchSpy = vi
    .spyOn(globalThis, 'fetch')
    .mockImplementation((input: string | URL | Request, init?: RequestInit) => {
      const headers = { ...Object.fromEntries(new Headers(init?.headers)), origin: PAGE_ORIGIN };
      const page = { ...init, headers, dispatcher: agent };
      return undiciFetch(
        input as string,
        page as unknown as Parameters<typeof undiciFetch>[1],
      ) as unknown as Promise<Response>;
    });
  onTestFinished(() => fetchSpy.mockRestore());
  return { t, scheduler, url: `${base}/graphql` };
}

/** Whether every request the simulator received carried the user's key. */
export function everyCallHadUserKey(gateway: LiveTest): boolean {
  return gateway.t.sim.requests.every((r) => r.headers['authorization'] === `Bearer ${SIM_KEY}`);
}
