import { pino } from 'pino';

/** The gateway's logger type. */
export type Logger = pino.Logger;

/**
 * JSON logs on stdout. Anything that might hold a credential is redacted by path as a second
 * line of defence: the code itself never logs headers or credentials.
 */
export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
  return pino(
    {
      level,
      base: { service: 'polytomic-sync-gateway' },
      redact: {
        paths: [
          'authorization',
          '*.authorization',
          '*.headers.authorization',
          '*.headers.cookie',
          'connectionParams',
          '*.connectionParams',
        ],
        censor: '[redacted]',
      },
    },
    destination,
  );
}

/** yoga's own log calls, routed to pino (errors as `err`, so pino serialises them). */
export function yogaLogger(logger: Logger) {
  const forward =
    (level: 'debug' | 'info' | 'warn' | 'error') =>
    (...args: unknown[]) => {
      // yoga logs a few debug lines per request: no pino arguments for a level that is off.
      if (!logger.isLevelEnabled(level)) return;
      const [first, ...rest] = args;
      if (first instanceof Error) logger[level]({ err: first }, first.message);
      else logger[level]({ details: rest.length ? rest : undefined }, String(first));
    };
  return {
    debug: forward('debug'),
    info: forward('info'),
    warn: forward('warn'),
    error: forward('error'),
  };
}
