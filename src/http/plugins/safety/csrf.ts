import { useCSRFPrevention } from '@graphql-yoga/plugin-csrf-prevention';
import type { Plugin } from 'graphql-yoga';
import { CSRF_HEADERS } from '../../cors.js';

/**
 * yoga's CSRF prevention, applied to requests a browser made (they carry Origin or
 * Sec-Fetch-Site). Cross-site request forgery needs a victim's browser; curl, servers and
 * federation routers send neither header and keep plain GET queries, as the runtime contract
 * promises.
 */
export function useBrowserCSRFPrevention(): Plugin {
  const inner = useCSRFPrevention({ requestHeaders: CSRF_HEADERS });
  return {
    onRequestParse(payload) {
      const { headers } = payload.request;
      // Not any Sec-Fetch-* header: Node's own fetch sends Sec-Fetch-Mode (never -Site), and a
      // browser that sends any of them sends Sec-Fetch-Site.
      if (headers.has('origin') || headers.has('sec-fetch-site')) {
        return inner.onRequestParse?.(payload);
      }
      return undefined;
    },
  };
}
