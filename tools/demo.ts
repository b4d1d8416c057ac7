// npm run demo: the built-in Polytomic simulator plus the gateway wired to it, in one process.
// The gateway itself never imports the simulator; only this entry point does.
import { createApp } from '../src/app.js';
import { ConfigError, listenError, loadConfig } from '../src/config.js';
import { demoEnv } from './demo-config.js';
import { createSimulator, SIM_KEY, SIM_SYNCS } from './simulator/index.js';
import { simulatorListenOptions, simulatorListenProblem } from './simulator/listen-options.js';

const QUERY = /* GraphQL */ `query SyncHealth {
  bulkSyncs(ids: ["${SIM_SYNCS.orders}", "${SIM_SYNCS.cdc}", "${SIM_SYNCS.backfill}"]) {
    id
    status {
      currentExecution { status rawStatus recordCount startedAt schemas { schema status recordCount } }
      lastExecution { status completedAt errorCount }
      ingestionStatus { status isRunning }
      nextExecutionTime
    }
  }
}`;

const SUBSCRIPTION = /* GraphQL */ `subscription WatchSyncs {
  bulkSyncChanges(ids: ["${SIM_SYNCS.orders}", "${SIM_SYNCS.invoices}"]) {
    id
    status { currentExecution { status recordCount schemas { schema status recordCount } } lastExecution { status } }
  }
}`;

const DASHBOARD = /* GraphQL */ `query Dashboard {
  allBulkSyncs(first: 20) {
    nodes {
      id name active schedule { frequency }
      source { name typeName } destination { name typeName }
      status { latestExecution { status recordCount completedAt } nextExecutionTime }
    }
    pageInfo { hasNextPage endCursor }
  }
}`;

// Actions need the caller's own credential (the service credential never acts), so the curl
// line sends the simulator's key itself.
const START = /* GraphQL */ `mutation RunNow { startBulkSync(id: "${SIM_SYNCS.idle}") { execution { id status } } }`;

async function main() {
  const where = simulatorListenOptions(process.env, 0);
  if (typeof where === 'string') throw new ConfigError([where]);
  const simulator = createSimulator(where);
  const simulatorUrl = await simulator.start().catch((error: unknown) => {
    const problem = simulatorListenProblem(error, where);
    throw problem ? new ConfigError([problem]) : error;
  });
  const config = loadConfig(demoEnv(simulatorUrl, process.env));
  const app = createApp(config);
  const url = await app.start().catch(async (error: unknown) => {
    await simulator.close();
    throw listenError(error, config) ?? error;
  });
  const { webhookSecret } = config.events;
  if (config.events.mode === 'webhook' && webhookSecret) {
    simulator.setWebhook({ url: `${url}/webhooks/polytomic`, secret: webhookSecret });
  }
  const curlBody = JSON.stringify({ query: QUERY.replace(/\s+/g, ' ') });
  const startBody = JSON.stringify({ query: START });
  process.stdout.write(
    [
      '',
      // The key rides in the fragment, which the browser never sends: the board keeps it in
      // sessionStorage so that Run now, Cancel and Pause work at once.
      `Live board           ${url}/board#key=${SIM_KEY}`,
      '',
      `Polytomic simulator  ${simulatorUrl}  (key ${SIM_KEY}, used as the service credential)`,
      `GraphiQL             ${url}/graphql`,
      `Health / metrics     ${url}/health  ${url}/metrics`,
      '',
      'Paste into GraphiQL (run it twice a few seconds apart: the syncs move):',
      '',
      QUERY,
      '',
      'and watch them live (GraphiQL runs subscriptions over WebSocket):',
      '',
      SUBSCRIPTION,
      '',
      'or from a shell:',
      `  curl -s ${url}/graphql -H 'content-type: application/json' -d '${curlBody}'`,
      '',
      'A dashboard: every sync with its name, schedule, source and destination, and how its run went:',
      '',
      DASHBOARD,
      '',
      "Run a sync now (a mutation needs your own key, here the simulator's):",
      `  curl -s ${url}/graphql -H 'content-type: application/json' -H 'authorization: Bearer ${SIM_KEY}' -d '${startBody}'`,
      '',
      'Ctrl-C stops both.',
      '',
    ].join('\n'),
  );
  const stop = () => {
    // The gateway first: queries still being answered while it drains need their upstream.
    app
      .stop()
      .then(() => simulator.close())
      .then(
        () => process.exit(0),
        () => process.exit(1),
      );
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((error: unknown) => {
  process.stderr.write(
    `${error instanceof ConfigError ? error.message : `demo failed: ${String(error)}`}\n`,
  );
  process.exit(1);
});
