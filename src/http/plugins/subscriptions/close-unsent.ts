import { isAsyncIterable, type Plugin } from 'graphql-yoga';

/**
 * Closes a subscription that yoga will not send. A subscription over HTTP whose Accept names
 * no streaming format served here (text/event-stream, or multipart/mixed with
 * subscriptionSpec=1.0) is executed, then answered 406 by yoga, which never closes the stream it
 * started: its poller polled Polytomic for as long as the process lived. With no result processor chosen, yoga's answer is that 406; no plugin after
 * this one may choose one (it is the last with an onResultProcess hook, see yoga.ts).
 */
export function useCloseUnsentSubscriptions(): Plugin {
  return {
    onResultProcess({ result, resultProcessor }) {
      if (resultProcessor || !isAsyncIterable(result)) return;
      result[Symbol.asyncIterator]()
        .return?.()
        .catch(() => undefined);
    },
  };
}
