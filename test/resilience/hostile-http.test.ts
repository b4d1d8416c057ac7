import { createHash } from 'node:crypto';
import { describe, expect, it, onTestFinished, vi } from 'vitest';
import { SIM_SYNCS } from '../../tools/simulator/index.js';
import { envelope, fullStatusFixture, syncId } from '../fixtures/status.js';
import { expectNoLeak } from '../utils/leaks.js';
import { errorCodes, ONE_SYNC } from '../utils/operations.js';
import {
  errorLogLines,
  persistedOperationsFile,
  startTestApp,
  type TestApp,
} from '../utils/test-app.js';

interface Answer {
  status: number;
  headers: Headers;
  text: string;
  /** `extensions.code` of each error, when the body is a GraphQL response. */
  codes: unknown[];
  messages: string[];
}

/** Sends one raw request through `yoga.fetch`. */
async function send(t: TestApp, init: RequestInit, path = '/graphql'): Promise<Answer> {
  const response = await t.app.yoga.fetch(`http://gateway.test${path}`, init);
  const text = await response.text();
  let errors: { message: string; extensions?: { code?: unknown } }[] = [];
  try {
    errors = (JSON.parse(text) as { errors?: typeof errors }).errors ?? [];
  } catch {
    // Not JSON (415, 204…): no GraphQL errors to read.
  }
  return {
    status: response.status,
    headers: response.headers,
    text,
    codes: errors.map((e) => e.extensions?.code),
    messages: errors.map((e) => e.message),
  };
}

const json = (body: unknown, headers: Record<string, string> = {}): RequestInit => ({
  method: 'POST',
  headers: { 'content-type': 'application/json', ...headers },
  body: typeof body === 'string' ? body : JSON.stringify(body),
});

const getQuery = (query: string) => `/graphql?query=${encodeURIComponent(query)}`;

/** Refused as a contract error (every code BAD_USER_INPUT) or with a 4xx status. */
function expectRefused(answer: Answer): void {
  const contractError =
    answer.status < 500 &&
    answer.codes.length > 0 &&
    answer.codes.every((code) => code === 'BAD_USER_INPUT');
  const clientStatus = answer.status >= 400 && answer.status < 500;
  expect(
    contractError || clientStatus,
    `status ${answer.status}, codes ${JSON.stringify(answer.codes)}`,
  ).toBe(true);
}

/** Zero upstream calls so far, nothing leaked, and a normal query is still served. */
async function expectStillServing(t: TestApp, answer: Answer): Promise<void> {
  expect(t.sim.statusCalls()).toBe(0);
  expectNoLeak(t, answer.text);
  const res = await t.query(ONE_SYNC, { id: SIM_SYNCS.idle });
  expect(res.body.errors).toBeUndefined();
  expect((res.body.data?.['bulkSync'] as { id: string } | undefined)?.id).toBe(SIM_SYNCS.idle);
  expect(t.sim.statusCalls()).toBe(1);
}

const aliases = (n: number) =>
  `{ ${Array.from({ length: n }, (_, i) => `a${i}: bulkSync(id: "${syncId(i + 1)}") { id }`).join(' ')} }`;

describe('hostile operations (production mode) are refused before any upstream call', () => {
  const cases: {
    name: string;
    env?: Record<string, string>;
    request: () => [RequestInit, string?];
    status: number;
    codes: unknown[];
    message?: RegExp;
  }[] = [
    {
      name: 'invalid JSON body',
      request: () => [json('{"query": "{ bulkSync(id: ')],
      status: 400,
      codes: ['BAD_USER_INPUT'],
    },
    {
      name: 'a query deeper than MAX_DEPTH',
      env: { MAX_DEPTH: '4' },
      request: () => [
        json({
          query: `{ bulkSync(id: "${SIM_SYNCS.idle}") { status { currentExecution { schemas { schema } } } } }`,
        }),
      ],
      status: 200,
      codes: ['BAD_USER_INPUT'],
      message: /depth limit of 4 exceeded, found 5/,
    },
    {
      name: 'an alias bomb (MAX_ALIASES + 1 aliases, one upstream call each)',
      request: () => [json({ query: aliases(16) })],
      status: 200,
      codes: ['BAD_USER_INPUT'],
      message: /Aliases limit of 15 exceeded, found 16/,
    },
    {
      name: 'a token bomb (more than MAX_TOKENS)',
      request: () => [json({ query: `{ ${'__typename '.repeat(6000)}}` })],
      status: 200,
      codes: ['BAD_USER_INPUT'],
      message: /Token limit of 5000 exceeded/,
    },
    {
      name: 'a directive overload',
      request: () => [json({ query: `{ __typename ${'@include(if: true) '.repeat(50)}}` })],
      status: 200,
      codes: ['BAD_USER_INPUT'],
      message: /Directives limit of 10 exceeded/,
    },
    {
      name: 'field duplication (a cost bomb beyond MAX_COST)',
      request: () => [
        json({
          query: `{ bulkSync(id: "${SIM_SYNCS.idle}") { status { currentExecution { ${'recordCount '.repeat(2000)}} } } }`,
        }),
      ],
      status: 200,
      codes: ['BAD_USER_INPUT'],
      message: /Query Cost limit of 5000 exceeded/,
    },
    {
      name: 'fragment cycles',
      request: () => [
        json({ query: 'query { ...A } fragment A on Query { ...B } fragment B on Query { ...A }' }),
      ],
      status: 200,
      codes: ['BAD_USER_INPUT'],
    },
    {
      name: 'introspection (__schema)',
      request: () => [json({ query: '{ __schema { queryType { name } } }' })],
      status: 200,
      codes: ['BAD_USER_INPUT', 'BAD_USER_INPUT'],
      message: /introspection has been disabled/,
    },
    {
      name: 'introspection (__type)',
      request: () => [json({ query: '{ __type(name: "BulkSync") { fields { name } } }' })],
      status: 200,
      codes: ['BAD_USER_INPUT', 'BAD_USER_INPUT'],
      message: /introspection has been disabled/,
    },
    {
      name: 'batching (a JSON array body)',
      request: () => [json([{ query: ONE_SYNC }, { query: ONE_SYNC }])],
      status: 400,
      codes: ['BAD_USER_INPUT'],
    },
    {
      name: 'a GET with a mutation',
      request: () => [{ method: 'GET' }, getQuery('mutation { bulkSync }')],
      status: 405,
      codes: ['BAD_USER_INPUT'],
    },
    {
      name: 'a text/plain POST',
      request: () => [
        {
          method: 'POST',
          headers: { 'content-type': 'text/plain' },
          body: '{"query":"{ __typename }"}',
        },
      ],
      status: 415,
      codes: ['BAD_USER_INPUT'],
      message:
        /^Unsupported Content-Type: POST application\/json, application\/graphql or a form, or use GET\.$/,
    },
    {
      name: 'a browser GET (Origin) without a CSRF header',
      request: () => [
        { method: 'GET', headers: { origin: 'https://evil.example' } },
        getQuery(`{ bulkSync(id: "${SIM_SYNCS.idle}") { id } }`),
      ],
      status: 403,
      codes: ['BAD_USER_INPUT'],
    },
    {
      name: 'a 10 MB body',
      request: () => [
        json({ query: '{ __typename }', variables: { pad: 'x'.repeat(10 * 1024 * 1024) } }),
      ],
      status: 413,
      codes: ['BAD_USER_INPUT'],
    },
  ];

  for (const { name, env, request, status, codes, message } of cases) {
    it(`${name} → ${status}${codes.length ? ` ${codes.join()}` : ''}`, async () => {
      const t = await startTestApp(env);
      const [init, path] = request();
      const answer = await send(t, init, path);
      expect(answer.status).toBe(status);
      expect(answer.codes).toEqual(codes);
      if (message) expect(answer.messages.join('\n')).toMatch(message);
      expectRefused(answer);
      await expectStillServing(t, answer);
    });
  }

  it('refuses a POSTed mutation of a field the schema lacks with nothing on stderr or in the error log', async () => {
    const t = await startTestApp();
    const stderr = vi.spyOn(console, 'error').mockImplementation(() => {});
    onTestFinished(() => stderr.mockRestore());
    const answer = await send(t, json({ query: 'mutation { bulkSync }' }));
    expect(answer.status).toBe(200);
    expect(answer.codes).toEqual(['BAD_USER_INPUT']);
    expect(answer.messages).toEqual(['Cannot query field "bulkSync" on type "Mutation".']);
    expect(stderr).not.toHaveBeenCalled();
    expect(errorLogLines(t)).toEqual([]);
    await expectStillServing(t, answer);
  });

  it('serves a query whose variables nest 6000 deep, cache on, with nothing logged as an error', async () => {
    const t = await startTestApp({ CACHE_TTL_MS: '60000' });
    const deep = `{"query":"{ __typename }","variables":{"x":${'['.repeat(6000)}1${']'.repeat(6000)}}}`;
    const answer = await send(t, json(deep));
    expect(answer.status).toBe(200);
    expect(answer.text).toBe('{"data":{"__typename":"Query"}}');
    expect(errorLogLines(t)).toEqual([]);
    await expectStillServing(t, answer);
  });

  it('allows exactly MAX_ALIASES aliases', async () => {
    const t = await startTestApp();
    for (let n = 1; n <= 15; n++) t.sim.addSync(syncId(n), envelope());
    const answer = await send(t, json({ query: aliases(15) }));
    expect(answer.codes).toEqual([]);
    expect(t.sim.statusCalls()).toBe(15);
  });

  describe('depth counts fields, however the selection is written', () => {
    const id = syncId(1);
    // The same five-deep selection (bulkSync → status → currentExecution → schemas → fields).
    const forms = {
      inline: `{ bulkSync(id: "${id}") { status { currentExecution { status schemas { schema status } } } } }`,
      'inline fragments': `{ bulkSync(id: "${id}") { ... on BulkSync { status { ... on BulkSyncStatus { currentExecution { ... on Execution { status schemas { ... on SchemaRun { schema status } } } } } } } } }`,
      'nested named fragments': `{ bulkSync(id: "${id}") { ...S } } fragment S on BulkSync { status { currentExecution { ...E } } } fragment E on Execution { status schemas { ...R } } fragment R on SchemaRun { schema status }`,
      // The shape a federation router sends.
      'a router _entities query': `query($r: [_Any!]!) { _entities(representations: $r) { ..._g0 } } fragment _g0 on BulkSync { status { currentExecution { ..._g1 } } } fragment _g1 on Execution { status schemas { schema status } }`,
      'chained fragments': `query($r: [_Any!]!) { _entities(representations: $r) { ...S } } fragment S on BulkSync { status { currentExecution { ...E } } } fragment E on Execution { ...E2 } fragment E2 on Execution { ...E3 } fragment E3 on Execution { status schemas { ...R } } fragment R on SchemaRun { ...R2 } fragment R2 on SchemaRun { schema status }`,
    };
    const body = (query: string) =>
      json({ query, variables: { r: [{ __typename: 'BulkSync', id }] } });

    it('costs every form about as the inline one (MAX_COST counts fields too)', async () => {
      const t = await startTestApp({ MAX_COST: '1' });
      const costs = [];
      for (const query of Object.values(forms)) {
        const [message] = (await send(t, body(query))).messages;
        costs.push(Number(/found ([\d.]+)\.$/.exec(message ?? '')?.[1]));
      }
      const [inline = 0, ...others] = costs;
      expect(inline).toBeGreaterThan(10);
      // Armor still costs a fragment's fields as one level deeper, but no longer multiplies the
      // cost by 1.5 for each level of fragments (inline fragments cost 5.4× the fields before).
      for (const cost of others) expect(cost).toBeLessThan(inline * 3);
    });

    it('refuses every form at MAX_DEPTH 4 as five deep', async () => {
      const t = await startTestApp({ MAX_DEPTH: '4' });
      for (const [name, query] of Object.entries(forms)) {
        const answer = await send(t, body(query));
        expect(answer.codes, name).toEqual(['BAD_USER_INPUT']);
        expect(answer.messages, name).toEqual([
          'Syntax Error: Query depth limit of 4 exceeded, found 5.',
        ]);
      }
      expect(t.sim.statusCalls()).toBe(0);
    });

    it('serves every form at MAX_DEPTH 5, the same data each time', async () => {
      const t = await startTestApp({ MAX_DEPTH: '5' });
      t.sim.addSync(id, fullStatusFixture());
      const execution = {
        status: 'RUNNING',
        schemas: [
          { schema: 'public.events', status: 'COMPLETED' },
          { schema: 'public.customers', status: 'EXPORTING' },
          { schema: 'public.audit_log', status: 'UNKNOWN' },
        ],
      };
      for (const [name, query] of Object.entries(forms)) {
        const answer = await send(t, body(query));
        expect(answer.codes, name).toEqual([]);
        const data = JSON.parse(answer.text).data;
        const sync = data.bulkSync ?? data._entities[0];
        expect(sync, name).toEqual({ status: { currentExecution: execution } });
      }
      // The test app runs with CACHE_TTL_MS=0: one call per query.
      expect(t.sim.statusCalls()).toBe(Object.keys(forms).length);
    });
  });

  it('hides field suggestions in production, shows them in development', async () => {
    const typo = json({ query: '{ bulkSyn(id: "x") { id } }' });
    const production = await startTestApp();
    const hidden = await send(production, typo);
    expect(hidden.codes).toEqual(['BAD_USER_INPUT']);
    expect(hidden.messages[0]).toContain('Cannot query field "bulkSyn"');
    expect(hidden.text).not.toContain('Did you mean');
    expect(hidden.text).not.toContain('bulkSyncs');
    await expectStillServing(production, hidden);
    await production.close();

    const development = await startTestApp({ NODE_ENV: 'development' });
    const shown = await send(development, typo);
    expect(shown.text).toContain('Did you mean');
  });

  it('serves the federation SDL (_service) with introspection off', async () => {
    const t = await startTestApp();
    const answer = await send(t, json({ query: '{ _service { sdl } }' }));
    expect(answer.status).toBe(200);
    expect(answer.codes).toEqual([]);
    expect(answer.text).toContain('type BulkSync');
    expect(t.sim.statusCalls()).toBe(0);
  });

  it('lets a server-side fetch through: Node sends Sec-Fetch-Mode but no Sec-Fetch-Site', async () => {
    const t = await startTestApp();
    const answer = await send(
      t,
      { method: 'GET', headers: { 'sec-fetch-mode': 'cors' } },
      getQuery(`{ bulkSync(id: "${SIM_SYNCS.idle}") { id } }`),
    );
    expect(answer.status).toBe(200);
    expect(answer.text).toBe(`{"data":{"bulkSync":{"id":"${SIM_SYNCS.idle}"}}}`);
  });

  it('lets a browser GET through with the x-graphql-yoga-csrf header', async () => {
    const t = await startTestApp();
    const answer = await send(
      t,
      { method: 'GET', headers: { origin: 'https://app.example', 'x-graphql-yoga-csrf': '1' } },
      getQuery(`{ bulkSync(id: "${SIM_SYNCS.idle}") { id } }`),
    );
    expect(answer.status).toBe(200);
    expect(answer.text).toBe(`{"data":{"bulkSync":{"id":"${SIM_SYNCS.idle}"}}}`);
    expect(t.sim.statusCalls()).toBe(1);
  });

  it('refuses 500 mixed hostile requests, then serves as before', async () => {
    const t = await startTestApp();
    const hostile = [
      () => json('{"query": '),
      () => json({ query: aliases(40) }),
      () => json({ query: `{ ${'__typename '.repeat(5200)}}` }),
      () => json({ query: '{ __schema { types { name } } }' }),
      () => json([{ query: '{ __typename }' }]),
      () => json({ query: `{ bulkSync(id: "${'9'.repeat(200)}") { id } }` }),
      () => json({ query: '{ bulkSyn }' }),
    ];
    for (let round = 0; round < 10; round++) {
      const batch = Array.from({ length: 50 }, (_, i) => {
        const make = hostile[(round * 50 + i) % hostile.length];
        if (!make) throw new Error('no request');
        return send(t, make());
      });
      for (const answer of await Promise.all(batch)) {
        expectRefused(answer);
        expect(answer.text).not.toMatch(/\bat .*\.[cm]?[jt]s:\d+/);
      }
    }
    await expectStillServing(t, {
      status: 200,
      headers: new Headers(),
      text: '',
      codes: [],
      messages: [],
    });
  });
});

describe('CORS', () => {
  const preflight = (origin: string): RequestInit => ({
    method: 'OPTIONS',
    headers: {
      origin,
      'access-control-request-method': 'POST',
      'access-control-request-headers': 'content-type, authorization',
    },
  });

  it('sends no access-control-allow-origin without CORS_ORIGINS', async () => {
    const t = await startTestApp();
    const answer = await send(t, preflight('https://evil.example'));
    expect(answer.headers.get('access-control-allow-origin')).toBeNull();
    const post = await send(
      t,
      json({ query: '{ __typename }' }, { origin: 'https://evil.example' }),
    );
    expect(post.headers.get('access-control-allow-origin')).toBeNull();
    expect(t.sim.statusCalls()).toBe(0);
  });

  it('with CORS_ORIGINS allows that origin only', async () => {
    const t = await startTestApp({ CORS_ORIGINS: 'https://app.example' });
    const allowed = await send(t, preflight('https://app.example'));
    expect(allowed.status).toBeLessThan(300);
    expect(allowed.headers.get('access-control-allow-origin')).toBe('https://app.example');
    expect(allowed.headers.get('access-control-allow-credentials')).toBeNull();

    const evil = await send(t, preflight('https://evil.example'));
    const evilOrigin = evil.headers.get('access-control-allow-origin');
    expect(evilOrigin === null || evilOrigin === 'https://app.example').toBe(true);
    const evilPost = await send(
      t,
      json({ query: '{ __typename }' }, { origin: 'https://evil.example' }),
    );
    expect(evilPost.headers.get('access-control-allow-origin')).not.toBe('https://evil.example');
    expect(evilPost.headers.get('access-control-allow-origin')).not.toBe('*');
  });

  it('with several CORS_ORIGINS answers each listed one, and others (null included) not at all', async () => {
    const t = await startTestApp({ CORS_ORIGINS: 'https://app.example,https://b.example' });
    for (const origin of ['https://app.example', 'https://b.example']) {
      for (const answer of [
        await send(t, preflight(origin)),
        await send(t, json({ query: '{ __typename }' }, { origin })),
      ]) {
        expect(answer.headers.get('access-control-allow-origin')).toBe(origin);
        expect(answer.headers.get('vary')).toContain('Origin');
      }
    }
    // A sandboxed iframe or a data: URL sends `Origin: null`: answering `null` would let it read.
    for (const origin of ['null', 'https://evil.example']) {
      for (const answer of [
        await send(t, preflight(origin)),
        await send(t, json({ query: '{ __typename }' }, { origin })),
      ]) {
        expect(answer.headers.get('access-control-allow-origin')).toBeNull();
        // Still an answer that depends on Origin, for shared caches.
        expect(answer.headers.get('vary')).toBe('Origin');
      }
    }
    expect(t.sim.statusCalls()).toBe(0);
  });
});

describe('persisted operations (PERSISTED_OPERATIONS_FILE)', () => {
  const DOCUMENT = /* GraphQL */ 'query Persisted($id: ID!) { bulkSync(id: $id) { id } }';
  const HASH = createHash('sha256').update(DOCUMENT).digest('hex');

  const startPersisted = () =>
    startTestApp({ PERSISTED_OPERATIONS_FILE: persistedOperationsFile([DOCUMENT]) });

  const byHash = (hash: string) =>
    json({
      variables: { id: SIM_SYNCS.idle },
      extensions: { persistedQuery: { version: 1, sha256Hash: hash } },
    });

  it('runs an allow-listed operation by extensions.persistedQuery.sha256Hash (POST and GET)', async () => {
    const t = await startPersisted();
    const post = await send(t, byHash(HASH));
    expect(post.text).toBe(`{"data":{"bulkSync":{"id":"${SIM_SYNCS.idle}"}}}`);
    const get = await send(
      t,
      { method: 'GET' },
      `/graphql?variables=${encodeURIComponent(JSON.stringify({ id: SIM_SYNCS.idle }))}&extensions=${encodeURIComponent(JSON.stringify({ persistedQuery: { version: 1, sha256Hash: HASH } }))}`,
    );
    expect(get.text).toBe(post.text);
    expect(t.sim.statusCalls()).toBe(2);
  });

  it('refuses an arbitrary query with a contract error or a 4xx, without an upstream call', async () => {
    const t = await startPersisted();
    const answer = await send(t, json({ query: ONE_SYNC, variables: { id: SIM_SYNCS.idle } }));
    expect(answer.text).not.toContain('"data"');
    expect(t.sim.statusCalls()).toBe(0);
    expectRefused(answer);
  });

  it('refuses an unknown hash with a contract error or a 4xx, without an upstream call', async () => {
    const t = await startPersisted();
    const answer = await send(t, byHash('0'.repeat(64)));
    expect(answer.text).not.toContain('"data"');
    expect(t.sim.statusCalls()).toBe(0);
    expectRefused(answer);
  });
});

describe('caches stay bounded (CACHE_MAX_ENTRIES)', () => {
  it('the third distinct sync evicts the first from the status and response caches', async () => {
    const t = await startTestApp({ CACHE_TTL_MS: '60000', CACHE_MAX_ENTRIES: '2' });
    const [a, b, c] = [1, 2, 3].map(syncId) as [string, string, string];
    for (const id of [a, b, c]) t.sim.addSync(id, envelope());
    for (const id of [a, b, c]) await t.query(ONE_SYNC, { id });
    expect(t.sim.statusCalls()).toBe(3);
    // c is still cached; a was evicted from both caches and costs a new call.
    await t.query(ONE_SYNC, { id: c });
    expect(t.sim.statusCalls()).toBe(3);
    const again = await t.query(ONE_SYNC, { id: a });
    expect(again.body.errors).toBeUndefined();
    expect(t.sim.statusCalls(a)).toBe(2);
    expect(t.sim.statusCalls()).toBe(4);
  });

  it('the stale-if-error copies are bounded the same way', async () => {
    const t = await startTestApp({
      CACHE_TTL_MS: '0',
      STALE_IF_ERROR_MS: '60000',
      CACHE_MAX_ENTRIES: '2',
      UPSTREAM_MAX_ATTEMPTS: '1',
    });
    const [a, b, c] = [1, 2, 3].map(syncId) as [string, string, string];
    for (const id of [a, b, c]) t.sim.addSync(id, envelope());
    for (const id of [a, b, c]) await t.query(ONE_SYNC, { id });
    t.sim.inject({ kind: 'status', status: 503 });
    expect(errorCodes(await t.query(ONE_SYNC, { id: a }))).toEqual(['UPSTREAM_UNAVAILABLE']);
    expect(errorCodes(await t.query(ONE_SYNC, { id: c }))).toEqual([]);
    expect(t.sim.statusCalls()).toBe(5);
  });
});
