import { SIM_DEPLOYMENT_KEY, SIM_KEY, SIM_ORG_ID, SIM_OTHER_KEY } from './ids.js';
import { createSimulator } from './server.js';

const { SIMULATOR_PORT, SIMULATOR_HOST } = process.env;
const port = Number(SIMULATOR_PORT ?? 4010);
const host = SIMULATOR_HOST ?? '127.0.0.1';
if (!Number.isInteger(port) || port < 0 || port > 65_535) {
  process.stderr.write(`SIMULATOR_PORT must be a port number, got ${SIMULATOR_PORT}\n`);
  process.exit(1);
}

const simulator = createSimulator({ port, host });
const url = await simulator.start();
process.stdout.write(
  `Polytomic simulator on ${url} | Bearer ${SIM_KEY} (all syncs), Bearer ${SIM_OTHER_KEY} (subset), ` +
    `Basic ${SIM_ORG_ID}:${SIM_DEPLOYMENT_KEY} (all syncs)\n`,
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
