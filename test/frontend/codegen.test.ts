import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generate } from '@graphql-codegen/cli';
import { parse, print } from 'graphql';
import { describe, expect, it, onTestFinished, vi } from 'vitest';
import { leftover } from '../utils/leftovers.js';
import { ROOT } from '../utils/processes.js';
import config from './recipes/codegen.js';

// The graphql-codegen recipe of docs/frontend.md, run as it stands in a fresh app directory
// holding a copy of the committed schema.graphql and one component.

const SYNC_STATUS = /* GraphQL */ `
  query SyncStatus($id: ID!) {
    bulkSync(id: $id) {
      id
      name
      status { nextExecutionTime latestExecution { status recordCount } }
    }
  }
`;

/** A temporary app: schema.graphql and src/sync.ts, whose one operation is `document`. */
function app(document: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'frontend-codegen-'));
  leftover('temporary directory', () => rmSync(dir, { recursive: true, force: true }));
  copyFileSync(join(ROOT, 'schema.graphql'), join(dir, 'schema.graphql'));
  mkdirSync(join(dir, 'src'));
  writeFileSync(
    join(dir, 'src', 'sync.ts'),
    `import { graphql } from './gql';\n\nexport const query = graphql(\`${document}\`);\n`,
  );
  return dir;
}

describe('graphql-codegen from schema.graphql', () => {
  it('types an operation: its result, its variables and its document', async () => {
    const dir = app(SYNC_STATUS);
    await generate({ ...config, cwd: dir, silent: true }, true);
    const types = readFileSync(join(dir, 'src', 'gql', 'graphql.ts'), 'utf8');

    expect(types).toContain(
      "export type SyncStatusQueryVariables = Exact<{\n  id: Scalars['ID']['input'];\n}>;",
    );
    expect(types).toContain(
      "export type SyncStatusQuery = { __typename?: 'Query', bulkSync?: { __typename?: 'BulkSync', id: string, name?: string | null, status?: { __typename?: 'BulkSyncStatus', nextExecutionTime?: string | null, latestExecution?: { __typename?: 'Execution', status: ExecutionStatus, recordCount?: number | null } | null } | null } | null };",
    );
    // The typed document is the operation itself.
    const start = 'export const SyncStatusDocument = ';
    const end = ' as unknown as DocumentNode<SyncStatusQuery, SyncStatusQueryVariables>;';
    const line = types.split('\n').find((l) => l.startsWith(start)) ?? '';
    expect(line.endsWith(end)).toBe(true);
    expect(print(JSON.parse(line.slice(start.length, -end.length)))).toBe(
      print(parse(SYNC_STATUS)),
    );
    // graphql(`…`) with that text returns it, typed.
    const gql = readFileSync(join(dir, 'src', 'gql', 'gql.ts'), 'utf8');
    expect(gql).toContain(
      `export function graphql(source: ${JSON.stringify(SYNC_STATUS)}): (typeof documents)[${JSON.stringify(SYNC_STATUS)}];`,
    );
  });

  it('fails on a field schema.graphql does not have, naming it, and writes nothing', async () => {
    const dir = app('query Broken($id: ID!) { bulkSync(id: $id) { id lastRunAt } }');
    const error = vi.spyOn(console, 'error').mockImplementation(() => {});
    onTestFinished(() => error.mockRestore());
    const failed = await generate({ ...config, cwd: dir, silent: true }, true).then(
      () => undefined,
      (reason: unknown) => reason as AggregateError,
    );
    expect(failed?.errors.map(String)).toEqual([
      'Error: GraphQL Document Validation failed with 1 errors;\n' +
        '  Error 0: Cannot query field "lastRunAt" on type "BulkSync".\n' +
        `    at ${join(dir, 'src', 'sync.ts')}:1:49`,
    ]);
    expect(existsSync(join(dir, 'src', 'gql'))).toBe(false);
    // What the command line prints after the error.
    expect(error.mock.calls.map(([message]) => String(message).trim().slice(2))).toEqual([
      'One or more errors occurred, no files were generated. To allow output on errors, set config.allowPartialOutputs=true',
    ]);
  });
});
