/**
 * Where a simulator entry point (`npm run simulator`, `npm run demo`) listens: SIMULATOR_PORT and
 * SIMULATOR_HOST, or the message that says what is wrong with them.
 */
export function simulatorListenOptions(
  env: NodeJS.ProcessEnv,
  defaultPort: number,
): { port: number; host: string } | string {
  const { SIMULATOR_PORT, SIMULATOR_HOST } = env;
  const host = SIMULATOR_HOST || '127.0.0.1';
  if (!SIMULATOR_PORT) return { port: defaultPort, host };
  const port = /^\d+$/.test(SIMULATOR_PORT.trim()) ? Number(SIMULATOR_PORT) : Number.NaN;
  if (!(port <= 65_535)) return `SIMULATOR_PORT: must be a port number, got ${SIMULATOR_PORT}`;
  return { port, host };
}

/** A failure to listen that the operator fixes with SIMULATOR_PORT, said so; else undefined. */
export function simulatorListenProblem(
  error: unknown,
  { port, host }: { port: number; host: string },
): string | undefined {
  const { code } = error as { code?: string };
  return code === 'EADDRINUSE' ? `SIMULATOR_PORT: ${host}:${port} is already in use` : undefined;
}
