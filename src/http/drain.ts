import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';

/**
 * The request listener, with what a graceful stop needs: once `drain()` is called, every
 * response not yet begun says `Connection: close`, so node closes its connection when it is
 * sent, and the connection of one already begun (an SSE stream, which the stop completes) is
 * closed once it is sent. server.close() closes only the connections idle at that moment, and
 * would wait on these until their keep-alive timeout, or the client's.
 */
export function drainable(listener: RequestListener) {
  const open = new Set<ServerResponse>();
  // One function for every response: no closure per request on the hot path.
  function forget(this: ServerResponse) {
    open.delete(this);
  }
  let draining = false;
  return {
    listener(request: IncomingMessage, response: ServerResponse) {
      if (draining) response.shouldKeepAlive = false;
      else {
        open.add(response);
        response.on('close', forget);
      }
      listener(request, response);
    },
    drain() {
      draining = true;
      for (const response of open) {
        if (!response.headersSent) response.shouldKeepAlive = false;
        else {
          // Node detaches the socket from a response as it finishes: taken now.
          const { socket } = response;
          response.once('finish', () => socket?.destroySoon());
        }
      }
    },
  };
}
