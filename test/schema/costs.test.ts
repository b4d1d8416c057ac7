import { parse } from 'graphql';
import { describe, expect, it } from 'vitest';
import { MAX_LIST_PAGES } from '../../src/datasources/catalogue-store.js';
import { estimateUpstreamCalls } from '../../src/schema/costs.js';
import { schema } from '../../src/schema/index.js';

const A = '5e1a0000-0000-4000-8000-000000000001';
const B = '5e1a0000-0000-4000-8000-000000000002';
const hundred = Array.from(
  { length: 100 },
  (_, n) => `0a0a0a0a-0000-4000-8000-${n.toString(16).padStart(12, '0')}`,
);

const estimate = (query: string, variables: Record<string, unknown> = {}, name?: string) =>
  estimateUpstreamCalls(schema, parse(query), name, variables)?.calls;
const dependsOnVariables = (query: string, variables: Record<string, unknown> = {}) =>
  estimateUpstreamCalls(schema, parse(query), undefined, variables)?.dependsOnVariables;

describe('estimateUpstreamCalls', () => {
  it('counts one status call per distinct id of the v1 fields, whatever they select', () => {
    expect(estimate(`{ bulkSync(id: "${A}") { id } }`)).toBe(1);
    expect(estimate(`{ bulkSync(id: "${A}") { id status { nextExecutionTime } } }`)).toBe(1);
    expect(
      estimate(
        'query ($ids: [ID!]!) { bulkSyncs(ids: $ids) { id status { latestExecution { id } } } }',
        {
          ids: [A, B, A.toUpperCase()],
        },
      ),
    ).toBe(2);
    expect(
      estimate('query ($ids: [ID!]!) { bulkSyncs(ids: $ids) { status { nextExecutionTime } } }', {
        ids: hundred,
      }),
    ).toBe(100);
  });

  it("counts a sync's own fields as the one record call they share, and each connection", () => {
    const own = `{ bulkSync(id: "${A}") { name active mode rawMode schedule { frequency } createdAt updatedAt createdBy { name } updatedBy { name } } }`;
    expect(estimate(own)).toBe(2);
    const ends = `{ bulkSync(id: "${A}") { source { name typeName } destination { name } } }`;
    expect(estimate(ends)).toBe(4);
    const many = 'query ($ids: [ID!]!) { bulkSyncs(ids: $ids) { name source { name } } }';
    expect(estimate(many, { ids: [A, B] })).toBe(2 + 2 * (1 + 1));
  });

  it('counts a listing at its most pages, its syncs with their records, and a status per sync asked for', () => {
    expect(estimate('{ allBulkSyncs { nodes { id name active schedule { frequency } } } }')).toBe(
      MAX_LIST_PAGES,
    );
    expect(
      estimate('{ allBulkSyncs(first: 10) { nodes { id status { nextExecutionTime } } } }'),
    ).toBe(MAX_LIST_PAGES + 10);
    expect(
      estimate(
        '{ allBulkSyncs(first: 100) { edges { node { executions(first: 100) { nodes { id } } } } } }',
      ),
    ).toBe(MAX_LIST_PAGES + 100);
    expect(
      estimate('query ($n: Int) { allBulkSyncs(first: $n) { nodes { source { name } } } }', {
        n: 7,
      }),
    ).toBe(MAX_LIST_PAGES + 7);
  });

  it('counts fragments, aliases and @skip as execution would run them', () => {
    const aliased = `query ($ids: [ID!]!) { ${Array.from({ length: 10 }, (_, n) => `a${n}: bulkSyncs(ids: $ids) { ...F }`).join(' ')} }
      fragment F on BulkSync { id name status { nextExecutionTime } }`;
    expect(estimate(aliased, { ids: hundred })).toBe(10 * (100 + 100));
    const skipped = `query ($skip: Boolean!) { bulkSync(id: "${A}") { name @skip(if: $skip) } }`;
    expect(estimate(skipped, { skip: true })).toBe(1);
    expect(estimate(skipped, { skip: false })).toBe(2);
    const twoOps = `query One { bulkSync(id: "${A}") { id } } query Two { allBulkSyncs { nodes { id } } }`;
    expect(estimate(twoOps, {}, 'One')).toBe(1);
    expect(estimate(twoOps, {}, 'Two')).toBe(MAX_LIST_PAGES);
  });

  it('counts history pages, a single execution, connections and actions', () => {
    expect(
      estimate(
        `{ bulkSync(id: "${A}") { executions(first: 50) { nodes { id } } execution(id: "${B}") { id } } }`,
      ),
    ).toBe(3);
    expect(estimate(`{ bulkSync(id: "${A}") { executions(after: "x") { nodes { id } } } }`)).toBe(
      3,
    );
    expect(estimate(`{ dataConnection(id: "${A}") { name type status } }`)).toBe(1);
    expect(
      estimate(
        `mutation { startBulkSync(id: "${A}") { execution { id } bulkSync { id name status { nextExecutionTime } } } }`,
      ),
    ).toBe(3);
    expect(estimate(`mutation { cancelBulkSync(id: "${A}") { message } }`)).toBe(1);
  });

  it('counts a subscription per event: its status comes with the event', () => {
    expect(
      estimate(`subscription { bulkSync(id: "${A}") { id status { nextExecutionTime } } }`),
    ).toBe(0);
    expect(
      estimate(
        'subscription ($ids: [ID!]!) { bulkSyncChanges(ids: $ids) { name source { name } } }',
        { ids: hundred },
      ),
    ).toBe(2);
  });

  it("counts a router's _entities batch by its distinct representations", () => {
    const entities =
      'query ($r: [_Any!]!) { _entities(representations: $r) { ... on BulkSync { status { nextExecutionTime } name } ... on DataConnection { name } } }';
    const representations = [
      { __typename: 'BulkSync', id: A },
      { __typename: 'BulkSync', id: A },
      { __typename: 'DataConnection', id: B },
    ];
    // Two distinct entities loaded by _entities, then each of the three may need its record.
    expect(estimate(entities, { r: representations })).toBe(2 + 3 * 1);
  });

  it('says when other variables could change the estimate, so it may be kept per document', () => {
    expect(
      dependsOnVariables(
        'query ($id: ID!) { bulkSync(id: $id) { id name status { nextExecutionTime } } }',
        { id: A },
      ),
    ).toBe(false);
    expect(dependsOnVariables(`{ bulkSyncs(ids: ["${A}", "${B}"]) { id } }`)).toBe(false);
    expect(
      dependsOnVariables('query ($ids: [ID!]!) { bulkSyncs(ids: $ids) { id } }', { ids: [A] }),
    ).toBe(true);
    expect(
      dependsOnVariables('query ($n: Int) { allBulkSyncs(first: $n) { nodes { id } } }', { n: 3 }),
    ).toBe(true);
    expect(
      dependsOnVariables(`query ($s: Boolean!) { bulkSync(id: "${A}") { name @skip(if: $s) } }`, {
        s: true,
      }),
    ).toBe(true);
  });

  it('gives no estimate for variables that do not fit the operation', () => {
    expect(estimate('query ($ids: [ID!]!) { bulkSyncs(ids: $ids) { id } }', { ids: 'x' })).toBe(1);
    expect(estimate('query ($ids: [ID!]!) { bulkSyncs(ids: $ids) { id } }', {})).toBeUndefined();
  });
});
