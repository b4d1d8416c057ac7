import type { DocumentNode, ExecutionArgs } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import type { Context } from '../../../context.js';
import type { CredentialHasher } from '../../../datasources/credential.js';
import type { LiveEvent } from '../../../datasources/live/events.js';
import { type GroupHooks, SubscriptionGroups } from './groups.js';
import { Member } from './member.js';

/** Options of {@link useSharedResults}. */
export interface SharedResultsOptions extends GroupHooks {
  hashCredential: CredentialHasher;
}

/**
 * Subscriptions with the same document, variables and credential share one execution
 * (`SubscriptionGroups`): each change is executed, filtered and serialised once, however many
 * watch it. Each subscriber hears only the results whose selected data changed: results are
 * compared per sync, as serialised JSON, with the last one its group sent. Applies to WebSocket,
 * SSE and multipart alike, since all run through yoga's envelop pipeline. The credential's hash
 * is part of the key, so sharing never crosses credentials. A subscription without a credential
 * runs alone (it fails with UNAUTHENTICATED).
 */
export function useSharedResults(options: SharedResultsOptions): Plugin<Context> {
  const groups = new SubscriptionGroups(options);
  return {
    onSubscribe({ args, subscribeFn, setSubscribeFn }) {
      const { authorization, watch } = args.contextValue as Context;
      if (!authorization || !watch) return;
      const credential = options.hashCredential(authorization);
      setSubscribeFn(async (subscribeArgs: ExecutionArgs) => {
        const context = subscribeArgs.contextValue as Context;
        const joined = await groups.join(groupKey(subscribeArgs, credential), (note) => {
          // The group's one execution tells which sync each result it makes is about: every
          // event the stream yields is noted before the result made from it comes out.
          context.watch = (syncIds) => noting(watch(syncIds), note);
          return subscribeFn(subscribeArgs);
        });
        if (joined instanceof Member) membersByContext.set(context, joined);
        return joined;
      });
    },
  };
}

const membersByContext = new WeakMap<object, Member>();

/**
 * The group member a subscription's execution gave this context, if any: the WebSocket
 * transport hands it its socket, so results go out without a pass through the pipeline.
 */
export function sharedMemberOf(context: unknown): Member | undefined {
  return typeof context === 'object' && context ? membersByContext.get(context) : undefined;
}

/**
 * Documents by identity: yoga's parser cache gives one object per query text, so subscribers
 * sending the same text share a group without the document being printed or hashed.
 */
const documentIds = new WeakMap<DocumentNode, number>();
let lastDocumentId = 0;

function groupKey(args: ExecutionArgs, credential: string): string {
  let documentId = documentIds.get(args.document);
  if (documentId === undefined) {
    documentId = ++lastDocumentId;
    documentIds.set(args.document, documentId);
  }
  const variables = JSON.stringify(args.variableValues ?? null);
  return `${credential}\n${documentId}\n${args.operationName ?? ''}\n${variables}`;
}

/** `source`, telling `note` of each event's sync as it is taken. */
function noting(
  source: AsyncIterableIterator<LiveEvent>,
  note: (syncId: string) => void,
): AsyncIterableIterator<LiveEvent> {
  return {
    async next() {
      const step = await source.next();
      if (!step.done) note(step.value.syncId);
      return step;
    },
    return: () => source.return?.() ?? Promise.resolve({ done: true, value: undefined }),
    throw: (error?: unknown) => source.throw?.(error) ?? Promise.reject(error),
    [Symbol.asyncIterator]() {
      return this;
    },
  };
}
