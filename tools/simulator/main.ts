import { SIM_DEPLOYMENT_KEY, SIM_KEY, SIM_ORG_ID, SIM_OTHER_KEY } from './ids.js';
import { simulatorListenOptions, simulatorListenProblem } from './listen-options.js';
import { createSimulator } from './server.js';
import { simulatorWebhookOptions } from './webhook-env.js';

function fail(problem: string): never {
  process.stderr.write(`${problem}\n`);
  process.exit(1);
}

const where = simulatorListenOptions(process.env, 4010);
if (typeof where === 'string') fail(where);
const webhook = simulatorWebhookOptions(process.env);
if (typeof webhook === 'string') fail(webhook);

const simulator = createSimulator(webhook === undefined ? where : { ...where, webhook });
const url = await simulator.start().catch((error: unknown) => {
  process.stderr.write(`${simulatorListenProblem(error, where) ?? String(error)}\n`);
  process.exit(1);
});
process.stdout.write(
  `Polytomic simulator on ${url} | Bearer ${SIM_KEY} (all syncs), Bearer ${SIM_OTHER_KEY} (subset), ` +
    `Basic ${SIM_ORG_ID}:${SIM_DEPLOYMENT_KEY} (all syncs)\n` +
    `GET ${url}/api/bulk/syncs lists the catalogue; each sync has /status, /executions, ` +
    `/cancel and /activate; connections at /api/connections/{id}; events at /api/events\n` +
    (webhook === undefined
      ? ''
      : `Events are POSTed to ${webhook.url}, signed (Polytomic-Signature, HMAC-SHA256, ` +
        `${webhook.encoding ?? 'hex'})\n`),
);

const shutdown = (): void => {
  simulator.close().then(
    () => process.exit(0),
    (error: unknown) => {
      process.stderr.write(`simulator close failed: ${String(error)}\n`);
      process.exit(1);
    },
  );
};
process.once('SIGINT', shutdown);
process.once('SIGTERM', shutdown);
