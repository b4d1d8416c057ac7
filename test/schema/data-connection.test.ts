import { describe, expect, it } from 'vitest';
import { SIM_CONNECTIONS, SIM_SECRET_PREFIX, SIM_SYNCS } from '../../tools/simulator/index.js';
import { dataOf, errorCodes } from '../utils/operations.js';
import { startTestApp, type TestApp } from '../utils/test-app.js';

let t: TestApp;

describe('dataConnection', () => {
  it('serves a connection by id, as an entity too, and never its configuration', async () => {
    t = await startTestApp();
    const answer = await t.query(
      'query ($id: ID!) { dataConnection(id: $id) { id name type typeName logoUrl status statusError } }',
      { id: SIM_CONNECTIONS.stripe },
    );
    expect(answer.body.data?.['dataConnection']).toMatchObject({
      id: SIM_CONNECTIONS.stripe,
      type: 'stripe',
      status: 'error',
    });
    expect(dataOf<{ statusError: string | null }>(answer, 'dataConnection').statusError).toMatch(
      /\w/,
    );
    const entities = await t.query(
      'query ($r: [_Any!]!) { _entities(representations: $r) { ... on DataConnection { id type } ... on BulkSync { id name } } }',
      {
        r: [
          { __typename: 'DataConnection', id: SIM_CONNECTIONS.snowflake },
          { __typename: 'BulkSync', id: SIM_SYNCS.orders },
        ],
      },
    );
    expect(entities.body).toEqual({
      data: {
        _entities: [
          { id: SIM_CONNECTIONS.snowflake, type: 'snowflake' },
          { id: SIM_SYNCS.orders, name: 'Postgres → Snowflake' },
        ],
      },
    });
    expect(answer.text + entities.text).not.toContain(SIM_SECRET_PREFIX);
    const unknown = await t.query('query ($id: ID!) { dataConnection(id: $id) { id } }', {
      id: '00000000-0000-4000-8000-00000000dead',
    });
    expect(errorCodes(unknown)).toEqual(['NOT_FOUND']);
  });

  it('fails a malformed or unknown connection representation alone; the other entities resolve', async () => {
    t = await startTestApp();
    const answer = await t.query(
      'query ($r: [_Any!]!) { _entities(representations: $r) { ... on DataConnection { id } ... on BulkSync { id } } }',
      {
        r: [
          { __typename: 'BulkSync', id: SIM_SYNCS.orders },
          { __typename: 'DataConnection', id: 'not-a-uuid' },
          { __typename: 'DataConnection', id: '00000000-0000-4000-8000-00000000dead' },
          { __typename: 'DataConnection', id: SIM_CONNECTIONS.postgres },
        ],
      },
    );
    expect(answer.body.data).toEqual({
      _entities: [{ id: SIM_SYNCS.orders }, null, null, { id: SIM_CONNECTIONS.postgres }],
    });
    expect(answer.body.errors?.map((e) => [e.path, e.extensions?.code])).toEqual([
      [['_entities', 1], 'BAD_USER_INPUT'],
      [['_entities', 2], 'NOT_FOUND'],
    ]);
  });
});
