import { describe, expect, it } from 'vitest';
import { SIM_SYNCS } from '../../../../tools/simulator/index.js';
import { startTestApp } from '../../../utils/test-app.js';

const ONE = /* GraphQL */ `query One($id: ID!) { bulkSync(id: $id) { id } }`;

describe('variable errors carry BAD_USER_INPUT', () => {
  const cases: [string, Record<string, unknown>, RegExp][] = [
    ['a missing variable', {}, /^Variable "\$id" of required type "ID!" was not provided\.$/],
    ['a null for a non-null variable', { id: null }, /must not be null/],
    ['a list where an ID is expected', { id: [SIM_SYNCS.orders] }, /got invalid value/],
    ['an object where an ID is expected', { id: { a: 1 } }, /got invalid value/],
  ];
  for (const [name, variables, message] of cases) {
    it(`${name}: BAD_USER_INPUT, no data, no upstream call`, async () => {
      const t = await startTestApp();
      const answer = await t.query(ONE, variables);
      expect(answer.body.data).toBeUndefined();
      expect(answer.body.errors).toHaveLength(1);
      const [error] = answer.body.errors ?? [];
      expect(error?.message).toMatch(message);
      expect(error?.extensions?.code).toBe('BAD_USER_INPUT');
      expect(t.sim.statusCalls()).toBe(0);
    });
  }

  it('a subscription with a mistyped variable: BAD_USER_INPUT, nothing watched', async () => {
    const t = await startTestApp();
    const response = await t.app.yoga.fetch('http://gateway.test/graphql', {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'text/event-stream' },
      body: JSON.stringify({
        query: 'subscription Live($id: ID!) { bulkSync(id: $id) { id } }',
        variables: { id: { a: 1 } },
      }),
    });
    const text = await response.text();
    const event = text.split('\n').find((line) => line.startsWith('data: '));
    const payload = JSON.parse(event?.slice('data: '.length) ?? 'null') as {
      errors?: { extensions?: { code?: string } }[];
    };
    expect(payload.errors?.map((e) => e.extensions?.code)).toEqual(['BAD_USER_INPUT']);
    expect(t.sim.statusCalls()).toBe(0);
  });
});
