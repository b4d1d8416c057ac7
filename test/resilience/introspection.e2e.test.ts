import { describe, expect, it } from 'vitest';
import { startLiveGateway } from '../utils/live.js';
import { ended, watch } from '../utils/ws.js';

const INTROSPECTION = '{ __type(name: "Query") { name } }';

describe('introspection off (the default outside development)', () => {
  it('is refused over WebSocket as over HTTP, and a WebSocket attempt opens nothing for HTTP', async () => {
    const gateway = await startLiveGateway();
    const attempt = watch(gateway.open(), INTROSPECTION, {});
    await ended(attempt);
    expect(attempt.events).toEqual([]);
    const refused = attempt.error as { message: string; extensions?: { code?: string } }[];
    expect(refused.map((e) => e.extensions?.code)).toEqual(['BAD_USER_INPUT']);
    expect(refused[0]?.message).toMatch(/introspection has been disabled/);

    // The same document over HTTP afterwards: still refused (validation results are cached by
    // document, so both transports must validate with the same rules).
    const overHttp = await gateway.t.query(INTROSPECTION);
    expect(overHttp.body.data).toBeUndefined();
    expect(overHttp.body.errors?.map((e) => e.extensions?.code)).toEqual(['BAD_USER_INPUT']);
    expect(overHttp.body.errors?.[0]?.message).toMatch(/introspection has been disabled/);
  });
});
