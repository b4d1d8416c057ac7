import type { Plugin } from 'graphql-yoga';

/** `/ready`: 200 while the gateway accepts work, 503 once shutdown has begun. */
export function useReadiness(isReady: () => boolean): Plugin {
  return {
    onRequest({ url, endResponse, fetchAPI }) {
      if (url.pathname !== '/ready') return;
      const ready = isReady();
      endResponse(
        new fetchAPI.Response(ready ? 'ready' : 'shutting down', { status: ready ? 200 : 503 }),
      );
    },
  };
}
