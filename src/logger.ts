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
