import { beforeEach, describe, expect, it, onTestFinished, vi } from 'vitest';
import { syncId } from '../fixtures/status.js';
import { addSyncs, syncEntity as entity, SYNC_IDS as IDS } from '../utils/federation.js';
import { errorLogLines, startTestApp, type TestApp } from '../utils/test-app.js';

// `_entities` as a router calls it: one request, many representations, straight to the subgraph.

const ENTITIES = /* GraphQL */ `
  query Entities($representations: [_Any!]!) {
    _entities(representations: $representations) {
      ... on BulkSync { id status { currentExecution { status recordCount } } }
    }
  }
`;

const representation = (id: string | undefined) => ({ __typename: 'BulkSync', id });

/** `"<id>" is not a bulk sync id` at `_entities[index]`. */
function invalidIdError(id: string, index: number) {
  return {
    message: `"${id}" is not a bulk sync id (a UUID).`,
    path: ['_entities', index],
    extensions: { code: 'BAD_USER_INPUT', argumentValue: id },
  };
}

/** The BAD_USER_INPUT error `message` at `_entities[index]`. */
const inputErrorAt = (message: string) => (index: number) => ({
  message,
  path: ['_entities', index],
  extensions: { code: 'BAD_USER_INPUT' },
});

let t: TestApp | undefined;

beforeEach(async () => {
  t = await startTestApp();
  addSyncs(t.sim);
});

function app(): TestApp {
  if (!t) throw new Error('no test app');
  return t;
}

describe('_entities', () => {
  it('100 representations over 10 distinct ids cost exactly 10 upstream calls, in order', async () => {
    // Duplicates spread across the list, not adjacent: 0, 7, 4, 1, 8, 5, …
    const order = Array.from({ length: 100 }, (_, i) => (i * 7) % 10);
    const res = await app().query(ENTITIES, {
      representations: order.map((n) => representation(IDS[n])),
    });

    expect(res.status).toBe(200);
    expect(res.body).toEqual({ data: { _entities: order.map(entity) } });
    expect(app().sim.statusCalls()).toBe(10);
    for (const id of IDS) expect(app().sim.statusCalls(id)).toBe(1);
  });

  it('more representations than MAX_IDS_PER_REQUEST: BAD_USER_INPUT, and no upstream call', async () => {
    await app().close();
    t = await startTestApp({ MAX_IDS_PER_REQUEST: '3' });
    addSyncs(t.sim);
    const four = [0, 1, 2, 3].map((n) => representation(IDS[n]));
    expect((await app().query(ENTITIES, { representations: four })).body).toEqual({
      data: null,
      errors: [
        {
          message: 'representations may hold at most 3; got 4.',
          path: ['_entities'],
          extensions: { code: 'BAD_USER_INPUT' },
        },
      ],
    });
    expect(app().sim.statusCalls()).toBe(0);
    const three = await app().query(ENTITIES, { representations: four.slice(0, 3) });
    expect(three.body).toEqual({ data: { _entities: [entity(0), entity(1), entity(2)] } });
    expect(app().sim.statusCalls()).toBe(3);
  });

  it('an invalid id is BAD_USER_INPUT at its index; a duplicate and the others resolve', async () => {
    const unknown = syncId(99);
    const res = await app().query(ENTITIES, {
      representations: [
        representation(IDS[0]),
        representation(IDS[1]),
        representation(IDS[0]),
        representation('not-a-uuid'),
        representation(unknown),
        representation(IDS[2]),
      ],
    });

    expect(res.body.data).toEqual({
      _entities: [entity(0), entity(1), entity(0), null, null, entity(2)],
    });
    expect(res.body.errors).toEqual([
      invalidIdError('not-a-uuid', 3),
      {
        message: `Bulk sync ${unknown} was not found.`,
        path: ['_entities', 4],
        extensions: { code: 'NOT_FOUND' },
      },
    ]);
    // One call per distinct valid id (the unknown one asked once); none for the invalid one.
    expect(app().sim.statusCalls()).toBe(4);
    expect(app().sim.statusCalls(IDS[0])).toBe(1);
    expect(app().sim.statusCalls(unknown)).toBe(1);
  });

  it('only invalid ids: every entry null with its own error, and no upstream call', async () => {
    const res = await app().query(ENTITIES, {
      representations: [representation('x'), representation('y')],
    });

    expect(res.body).toEqual({
      data: { _entities: [null, null] },
      errors: [invalidIdError('x', 0), invalidIdError('y', 1)],
    });
    expect(app().sim.statusCalls()).toBe(0);
  });

  // graphql-jit completes a *rejected* list item with `resultArray.push(null)` instead of writing
  // its index: an invalid id rejects at once, before the valid ids' loads settle, so its null
  // would land at index 0 and be overwritten, and the list would come back one entry short (a
  // router then rejects the whole `_entities` answer). loadEntry returns errors as values.
  it('a trailing invalid id keeps the list one entry per representation', async () => {
    const res = await app().query(ENTITIES, {
      representations: [
        representation(IDS[0]),
        representation(IDS[1]),
        representation(IDS[0]),
        representation('not-a-uuid'),
      ],
    });

    expect(res.body).toEqual({
      data: { _entities: [entity(0), entity(1), entity(0), null] },
      errors: [invalidIdError('not-a-uuid', 3)],
    });
    expect(app().sim.statusCalls()).toBe(2);
  });

  it('an id that is no string (a number, null, missing) is BAD_USER_INPUT at its index, not an internal error', async () => {
    const res = await app().query(ENTITIES, {
      representations: [
        { __typename: 'BulkSync', id: 5 },
        representation(IDS[0]),
        { __typename: 'BulkSync', id: null },
        { __typename: 'BulkSync' },
      ],
    });

    const notAString = inputErrorAt('A bulk sync id must be a string (a UUID).');
    expect(res.body).toEqual({
      data: { _entities: [null, entity(0), null, null] },
      errors: [notAString(0), notAString(2), notAString(3)],
    });
    expect(app().sim.statusCalls()).toBe(1);
    // Client input, not a fault of the gateway: nothing is logged at error level.
    expect(errorLogLines(app())).toEqual([]);
  });

  it('a representation of no entity of this subgraph is BAD_USER_INPUT at its index, not an internal error', async () => {
    const res = await app().query(ENTITIES, {
      representations: [
        { __typename: 'Nope', id: IDS[1] },
        representation(IDS[0]),
        { id: IDS[1] },
        'BulkSync',
        { __typename: 'Query' },
      ],
    });

    const foreign = inputErrorAt(
      'A representation must be an object with "__typename": "BulkSync" (or "DataConnection") and an "id".',
    );
    expect(res.body).toEqual({
      data: { _entities: [null, entity(0), null, null, null] },
      errors: [foreign(0), foreign(2), foreign(3), foreign(4)],
    });
    expect(app().sim.statusCalls()).toBe(1);
    expect(errorLogLines(app())).toEqual([]);
  });
});

describe('_entities with representations written in the document', () => {
  it('resolves them, a variable inside one included, with nothing on stderr', async () => {
    const stderr = vi.spyOn(console, 'error').mockImplementation(() => {});
    onTestFinished(() => stderr.mockRestore());
    const query = /* GraphQL */ `
      query ($second: ID!) {
        _entities(representations: [
          { __typename: "BulkSync", id: "${IDS[0]}" },
          { __typename: "BulkSync", id: $second }
        ]) {
          ... on BulkSync { id status { currentExecution { status recordCount } } }
        }
      }
    `;
    const res = await app().query(query, { second: IDS[1] });
    expect(res.body).toEqual({ data: { _entities: [entity(0), entity(1)] } });
    expect(app().sim.statusCalls()).toBe(2);
    expect(stderr).not.toHaveBeenCalled();
    expect(errorLogLines(app())).toEqual([]);
  });
});
