import { appendFileSync, existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  SIM_DEPLOYMENT_KEY,
  SIM_KEY,
  SIM_ORG_ID,
  SIM_OTHER_KEY,
} from '../../tools/simulator/index.js';

/**
 * Whole-run log scan. Test files run in separate processes (pool 'forks'), so each process
 * appends the gateway log lines it saw to a file in a directory the global setup created (its
 * path travels in this environment variable), and the global teardown scans them all.
 */
export const LOG_DIR_ENV = 'GATEWAY_TEST_LOG_DIR';

const SECRETS_FILE = 'secrets.txt';

function logDir(): string | undefined {
  const dir = process.env[LOG_DIR_ENV];
  return dir && existsSync(dir) ? dir : undefined;
}

/** Appends gateway log lines to this process's file; a no-op without the global setup. */
export function persistLogLines(lines: readonly string[]): void {
  const dir = logDir();
  if (!dir || lines.length === 0) return;
  const text = lines.map((line) => (line.endsWith('\n') ? line : `${line}\n`)).join('');
  appendFileSync(join(dir, `${process.pid}.log`), text);
}

/** Adds a test's own credential to what the whole-run scan looks for. */
export function registerSecrets(secrets: readonly string[]): void {
  const dir = logDir();
  if (dir) appendFileSync(join(dir, SECRETS_FILE), secrets.map((s) => `${s}\n`).join(''));
}

/** The credentials every test run uses: the simulator's keys and the on-premises Basic value. */
export function builtInSecrets(): string[] {
  const basic = Buffer.from(`${SIM_ORG_ID}:${SIM_DEPLOYMENT_KEY}`).toString('base64');
  return [SIM_KEY, SIM_OTHER_KEY, SIM_DEPLOYMENT_KEY, basic];
}

/** `Bearer <token>` or `Basic <base64>`: a credential in any log line, whoever's it is. */
const CREDENTIAL = [/bearer\s+\S/i, /basic\s+[a-z0-9+/=]{8,}/i];

/**
 * What is wrong with `lines`: one description per offending line, naming the secret by index
 * (never the secret itself, so the report does not leak it again).
 */
export function findLeaks(lines: readonly string[], secrets: readonly string[]): string[] {
  const problems: string[] = [];
  lines.forEach((line, n) => {
    const index = secrets.findIndex((secret) => secret !== '' && line.includes(secret));
    if (index >= 0) problems.push(`line ${n + 1}: contains secret #${index + 1}`);
    else if (CREDENTIAL.some((pattern) => pattern.test(line))) {
      problems.push(`line ${n + 1}: contains an Authorization value`);
    }
  });
  return problems;
}

/** Scans every persisted log file in `dir`; returns the problems found and the lines scanned. */
export function scanLogDir(dir: string): { problems: string[]; lines: number; files: number } {
  const secretsPath = join(dir, SECRETS_FILE);
  const registered = existsSync(secretsPath)
    ? readFileSync(secretsPath, 'utf8').split('\n').filter(Boolean)
    : [];
  const secrets = [...builtInSecrets(), ...registered];
  const files = readdirSync(dir).filter((name) => name.endsWith('.log'));
  const problems: string[] = [];
  let lines = 0;
  for (const name of files) {
    const content = readFileSync(join(dir, name), 'utf8').split('\n').filter(Boolean);
    lines += content.length;
    for (const problem of findLeaks(content, secrets)) problems.push(`${name} ${problem}`);
  }
  return { problems, lines, files: files.length };
}
