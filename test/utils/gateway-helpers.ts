import { readFileSync } from 'node:fs';
import { expect } from 'vitest';
import { type BulkSyncStatusEnvelope, SIM_KEY } from '../../tools/simulator/index.js';
import type { TestApp } from './test-app.js';

/** The realistic full status envelope of `test/fixtures/status-full.json`, freshly parsed. */
export function fullStatusFixture(): BulkSyncStatusEnvelope {
  const file = new URL('../fixtures/status-full.json', import.meta.url);
  return JSON.parse(readFileSync(file, 'utf8')) as BulkSyncStatusEnvelope;
}

/** A syntactically valid sync id no built-in simulator sync uses: `0a0a0a0a-…-<n in hex>`. */
export function syncId(n: number): string {
  return `0a0a0a0a-0000-4000-8000-${n.toString(16).padStart(12, '0')}`;
}

/** Every field of BulkSyncStatus, Execution, SchemaRun and IngestionStatus. */
export const STATUS_SELECTION = /* GraphQL */ `
  currentExecution { ...ExecutionFields }
  lastExecution { ...ExecutionFields }
  ingestionStatus {
    enabled
    isRunning
    status
    rawStatus
    statusMessage
    highwaterMark
    position
    positionTime
    updatedAt
  }
  nextExecutionTime
`;

export const EXECUTION_FRAGMENT = /* GraphQL */ `
  fragment ExecutionFields on Execution {
    id
    status
    rawStatus
    statusMessage
    type
    fetchMode
    outputDisposition
    isPartial
    isResync
    isTest
    recordCount
    errorCount
    warningCount
    createdAt
    startedAt
    completedAt
    updatedAt
    schemas {
      schema
      outputName
      status
      rawStatus
      statusMessage
      recordCount
      errorCount
      warningCount
      createdAt
      startedAt
      completedAt
      updatedAt
    }
  }
`;

/** `query ($id: ID!) { bulkSync(id: $id) { id status { <everything> } } }` */
export const FULL_BULK_SYNC = /* GraphQL */ `
  query FullBulkSync($id: ID!) {
    bulkSync(id: $id) {
      id
      status { ${STATUS_SELECTION} }
    }
  }
  ${EXECUTION_FRAGMENT}
`;

/** A small selection that still needs the status load. */
export const ONE_SYNC = /* GraphQL */ `
  query OneSync($id: ID!) {
    bulkSync(id: $id) {
      id
      status { nextExecutionTime currentExecution { id } }
    }
  }
`;

export const MANY_SYNCS = /* GraphQL */ `
  query ManySyncs($ids: [ID!]!) {
    bulkSyncs(ids: $ids) {
      id
      status { nextExecutionTime currentExecution { id } }
    }
  }
`;

const STACK_FRAME = /\bat .*\.[cm]?[jt]s:\d+/;

/**
 * Asserts that nothing internal leaked: no stack frame and no upstream origin in the response
 * text, and no credential in the response or in any log line the gateway wrote.
 */
export function expectNoLeak(t: TestApp, text: string, secrets: readonly string[] = []): void {
  expect(text).not.toMatch(STACK_FRAME);
  expect(text).not.toContain(t.sim.url);
  expect(text).not.toContain(new URL(t.sim.url).host);
  for (const secret of [SIM_KEY, ...secrets]) {
    expect(text).not.toContain(secret);
    for (const line of t.logs) expect(line).not.toContain(secret);
  }
  for (const line of t.logs) expect(line).not.toMatch(/bearer\s/i);
  for (const line of t.logs) expect(line).not.toMatch(/basic\s+[a-z0-9+/=]{8,}/i);
}
