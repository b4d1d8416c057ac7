import { createApp } from './app.js';
import { ConfigError, listenError, loadConfig } from './config.js';

async function main() {
  const config = loadConfig();
  const app = createApp(config);
  await app.start().catch((error: unknown) => {
    throw listenError(error, config) ?? error;
  });
  const stop = () => {
    app.stop().then(
      () => process.exit(0),
      (error: unknown) => {
        app.logger.error({ err: error }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

main().catch((error: unknown) => {
  // A bad configuration is the operator's to fix: print what is wrong, not where the code noticed.
  process.stderr.write(
    `${error instanceof ConfigError ? error.message : 'gateway failed to start'}\n`,
  );
  if (!(error instanceof ConfigError)) process.stderr.write(`${String(error)}\n`);
  process.exit(1);
});
