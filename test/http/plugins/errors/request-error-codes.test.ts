import { describe, expect, it } from 'vitest';
import { SIM_SYNCS } from '../../../../tools/simulator/index.js';
import { errorLogLines, startTestApp, type TestApp } from '../../../utils/test-app.js';

const ONE = /* GraphQL */ `query One($id: ID!) { bulkSync(id: $id) { id } }`;

describe("yoga's refusals of a malformed HTTP request carry BAD_USER_INPUT", () => {
  const post = (t: TestApp, body: string, headers: Record<string, string> = {}) =>
    t.app.yoga.fetch('http://gateway.test/graphql', {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body,
    });

  it('invalid JSON: 400, the contract code, and no echo of the JSON parser', async () => {
    const t = await startTestApp();
    const response = await post(t, '{"query": ');
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({
      errors: [{ message: 'POST body sent invalid JSON.', extensions: { code: 'BAD_USER_INPUT' } }],
    });
    expect(t.sim.statusCalls()).toBe(0);
  });

  it('a body without a query: 400 BAD_USER_INPUT (for application/graphql-response+json)', async () => {
    const t = await startTestApp();
    const response = await post(t, '{}', { accept: 'application/graphql-response+json' });
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({
      errors: [{ message: 'Must provide query string.', extensions: { code: 'BAD_USER_INPUT' } }],
    });
  });

  it('a PUT: 405 BAD_USER_INPUT', async () => {
    const t = await startTestApp();
    const response = await t.app.yoga.fetch('http://gateway.test/graphql', {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: ONE, variables: { id: SIM_SYNCS.orders } }),
    });
    expect(response.status).toBe(405);
    expect(await response.json()).toEqual({
      errors: [
        {
          message: 'GraphQL only supports GET and POST requests.',
          extensions: { code: 'BAD_USER_INPUT' },
        },
      ],
    });
    expect(t.sim.statusCalls()).toBe(0);
  });
});

describe('a request parameter that is not JSON is BAD_USER_INPUT, not an internal error', () => {
  const expected = {
    errors: [
      {
        message: 'A request parameter (variables or extensions) is not valid JSON.',
        extensions: { code: 'BAD_USER_INPUT' },
      },
    ],
  };

  for (const parameter of ['variables', 'extensions']) {
    it(`GET with ${parameter} that is not JSON: 400, no upstream call, nothing logged as an error`, async () => {
      const t = await startTestApp();
      const query = new URLSearchParams({ query: ONE, [parameter]: '{"id": ' });
      const response = await t.app.yoga.fetch(`http://gateway.test/graphql?${query}`, {
        headers: { accept: 'application/graphql-response+json' },
      });
      expect(response.status).toBe(400);
      expect(await response.json()).toEqual(expected);
      expect(t.sim.statusCalls()).toBe(0);
      expect(errorLogLines(t)).toEqual([]);
    });
  }

  it('a GET that says its content type is JSON is parsed, and refused, the same way', async () => {
    const t = await startTestApp();
    const query = new URLSearchParams({ query: ONE, variables: '{"id": ' });
    const response = await t.app.yoga.fetch(`http://gateway.test/graphql?${query}`, {
      headers: { accept: 'application/graphql-response+json', 'content-type': 'application/json' },
    });
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual(expected);
    expect(errorLogLines(t)).toEqual([]);
  });

  it('a form POST with variables that are not JSON: 400', async () => {
    const t = await startTestApp();
    const response = await t.app.yoga.fetch('http://gateway.test/graphql', {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        accept: 'application/graphql-response+json',
      },
      body: new URLSearchParams({ query: ONE, variables: '[' }).toString(),
    });
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual(expected);
    expect(errorLogLines(t)).toEqual([]);
  });

  it('a GET with good variables still runs', async () => {
    const t = await startTestApp();
    const query = new URLSearchParams({
      query: ONE,
      variables: JSON.stringify({ id: SIM_SYNCS.idle }),
    });
    const response = await t.app.yoga.fetch(`http://gateway.test/graphql?${query}`);
    expect(await response.json()).toEqual({ data: { bulkSync: { id: SIM_SYNCS.idle } } });
  });
});

it('an SSE request whose body is not JSON: the error as an event, with 200 as before', async () => {
  const t = await startTestApp();
  const response = await t.app.yoga.fetch('http://gateway.test/graphql', {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'text/event-stream' },
    body: '{"query": ',
  });
  expect(response.status).toBe(200);
  const error = { message: 'POST body sent invalid JSON.', extensions: { code: 'BAD_USER_INPUT' } };
  expect(await response.text()).toBe(
    `:\n\nevent: next\ndata: ${JSON.stringify({ errors: [error] })}\n\nevent: complete\ndata:\n\n`,
  );
});
