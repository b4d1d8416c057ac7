// The environment `npm run demo` gives the gateway (tools/demo.ts), apart so tests load the same.
import { SIM_KEY } from './simulator/index.js';

/**
 * Browser pages a local dev server serves (Vite's http://localhost:5173 and the like): the demo
 * runs in production mode, where CORS is off unless CORS_ORIGINS lists origins.
 */
export const DEMO_CORS_ORIGINS = 'http://localhost:*,http://127.0.0.1:*,http://[::1]:*';

/** The secret the demo's simulator signs its webhook with, and the gateway checks. */
export const DEMO_WEBHOOK_SECRET = 'demo-webhook-secret';

/**
 * The demo gateway's environment: `env` (the demo's own) over a few defaults, then what the demo
 * must have: the simulator at `simulatorUrl` with its key as the service credential, GraphiQL,
 * the board and introspection on.
 */
export function demoEnv(
  simulatorUrl: string,
  env: Record<string, string | undefined>,
): Record<string, string | undefined> {
  return {
    LOG_LEVEL: 'warn',
    // A frontend dev server on this machine may call the demo; CORS_ORIGINS replaces the list.
    CORS_ORIGINS: DEMO_CORS_ORIGINS,
    // The simulator posts each event to the gateway's webhook, as Polytomic would: a sync that
    // starts is on the board within a poll's round trip.
    POLYTOMIC_EVENTS: 'webhook',
    POLYTOMIC_WEBHOOK_SECRET: DEMO_WEBHOOK_SECRET,
    ...env,
    POLYTOMIC_BASE_URL: simulatorUrl,
    POLYTOMIC_API_KEY: SIM_KEY,
    POLYTOMIC_DEPLOYMENT_KEY: undefined,
    POLYTOMIC_ORGANIZATION_ID: undefined,
    GRAPHIQL: 'true',
    BOARD_ENABLED: 'true',
    // GraphiQL's docs and autocompletion need introspection, which production mode turns off.
    INTROSPECTION: 'true',
  };
}
