import { createApp } from './app.js';
import { type Config, ConfigError, loadConfig } from './config.js';

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

/** A failure to listen, said as the configuration error it is (which variable to change). */
function listenError(error: unknown, config: Config): ConfigError | undefined {
  const { code } = error as { code?: string };
  const where = `${config.host}:${config.port}`;
  if (code === 'EADDRINUSE') return new ConfigError([`PORT: ${where} is already in use`]);
  if (code === 'EACCES') return new ConfigError([`PORT: not allowed to listen on ${where}`]);
  if (code === 'ENOTFOUND' || code === 'EADDRNOTAVAIL' || code === 'EAI_AGAIN') {
    return new ConfigError([`HOST: cannot listen on ${config.host} (${code})`]);
  }
  return undefined;
}
