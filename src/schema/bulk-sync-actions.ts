import type { Context } from '../context.js';
import type { SyncActions } from '../datasources/actions.js';
import type { Execution, StartRequest } from '../datasources/polytomic/types.js';
import { clientError, ErrorCode } from '../errors.js';
import { builder } from './builder.js';
import { BulkSyncRef, type BulkSyncShape } from './bulk-sync.js';
import { cost } from './costs.js';
import { FetchMode, ResyncMode } from './enums.js';
import { ExecutionRef } from './execution.js';
import { checkId } from './sync-ids.js';
import { toActionError } from './upstream-errors.js';

builder.mutationType({
  description:
    "v2. Actions on bulk syncs. Each needs the caller's own credential: the service credential never performs one (FORBIDDEN).",
});

const StartBulkSyncInput = builder.inputType('StartBulkSyncInput', {
  description: 'v2. How to run a started execution; every field optional.',
  fields: (t) => ({
    fetchMode: t.field({ type: FetchMode.ref, description: 'How to fetch (not UNKNOWN).' }),
    resyncMode: t.field({ type: ResyncMode, description: 'Refetch, resync or rebuild.' }),
    schemas: t.stringList({
      description: 'Source schema ids to run; omitted or null = every enabled schema.',
    }),
    test: t.boolean({ description: 'A test run (cannot be combined with resyncMode).' }),
  }),
});

const StartPayloadRef = builder
  .objectRef<{ execution: Execution; bulkSync: BulkSyncShape }>('StartBulkSyncPayload')
  .implement({
    description: 'v2. What startBulkSync did.',
    fields: (t) => ({
      execution: t.field({
        type: ExecutionRef,
        nullable: false,
        description: 'The execution Polytomic started.',
        resolve: (payload) => payload.execution,
      }),
      bulkSync: t.field({
        type: BulkSyncRef,
        nullable: false,
        description: 'The sync, for clients that refresh it in their cache.',
        resolve: (payload) => payload.bulkSync,
      }),
    }),
  });

const CancelPayloadRef = builder
  .objectRef<{ message: string | null; bulkSync: BulkSyncShape }>('CancelBulkSyncPayload')
  .implement({
    description: 'v2. What cancelBulkSync did.',
    fields: (t) => ({
      message: t.exposeString('message', {
        description: "Polytomic's acknowledgement, e.g. that the cancel request was queued.",
      }),
      bulkSync: t.field({
        type: BulkSyncRef,
        nullable: false,
        description: 'The sync; watch its status until CANCELED.',
        resolve: (payload) => payload.bulkSync,
      }),
    }),
  });

const SetActivePayloadRef = builder
  .objectRef<{ bulkSync: BulkSyncShape }>('SetBulkSyncActivePayload')
  .implement({
    description: 'v2. What setBulkSyncActive did.',
    fields: (t) => ({
      bulkSync: t.field({
        type: BulkSyncRef,
        nullable: false,
        description: 'The sync with its new state.',
        resolve: (payload) => payload.bulkSync,
      }),
    }),
  });

const ACTION = { extensions: cost({ calls: 1 }) };

builder.mutationFields((t) => ({
  startBulkSync: t.field({
    ...ACTION,
    type: StartPayloadRef,
    nullable: false,
    description:
      'Start an execution now. CONFLICT when one is already running. Safe to retry with the same idempotencyKey: Polytomic replays the first outcome.',
    args: {
      id: t.arg.id({ required: true, description: 'The bulk sync id (a UUID).' }),
      input: t.arg({ type: StartBulkSyncInput, description: 'How to run it.' }),
      idempotencyKey: t.arg.string({
        description:
          'Makes retries safe: 8 to 255 letters, digits, - or _. The gateway makes one up when none is given.',
      }),
    },
    resolve: async (_root, { id, input, idempotencyKey }, context) => {
      const actions = ownActions(context);
      checkId(id);
      const key = checkedIdempotencyKey(idempotencyKey);
      const request = startRequest(input ?? {});
      const execution = await act(id, () => actions.start(id, request, key));
      return { execution, bulkSync: { id } };
    },
  }),
  cancelBulkSync: t.field({
    ...ACTION,
    type: CancelPayloadRef,
    nullable: false,
    description:
      'Ask Polytomic to cancel the running execution. Cancellation is asynchronous: watch status until CANCELED.',
    args: { id: t.arg.id({ required: true, description: 'The bulk sync id (a UUID).' }) },
    resolve: async (_root, { id }, context) => {
      const actions = ownActions(context);
      checkId(id);
      const { message } = await act(id, () => actions.cancel(id));
      return { message, bulkSync: { id } };
    },
  }),
  setBulkSyncActive: t.field({
    ...ACTION,
    type: SetActivePayloadRef,
    nullable: false,
    description:
      "Resume (true) or pause (false) the sync's schedule. Pausing also asks Polytomic to cancel a running execution.",
    args: {
      id: t.arg.id({ required: true, description: 'The bulk sync id (a UUID).' }),
      active: t.arg.boolean({ required: true, description: 'true resumes, false pauses.' }),
    },
    resolve: async (_root, { id, active }, context) => {
      const actions = ownActions(context);
      checkId(id);
      await act(id, () => actions.setActive(id, active));
      return { bulkSync: { id } };
    },
  }),
}));

/** The caller's own actions; the service credential never acts (an anonymous page must not). */
function ownActions(context: Context): SyncActions {
  if (context.actions) return context.actions;
  throw clientError(
    ErrorCode.FORBIDDEN,
    "Actions need the caller's own credential: send an Authorization header. The gateway's service credential never starts, cancels or pauses a sync.",
  );
}

const IDEMPOTENCY_KEY = /^[A-Za-z0-9_-]{8,255}$/;

function checkedIdempotencyKey(key: string | null | undefined): string | undefined {
  if (key === null || key === undefined) return undefined;
  if (IDEMPOTENCY_KEY.test(key)) return key;
  throw clientError(
    ErrorCode.BAD_USER_INPUT,
    'idempotencyKey must be 8 to 255 letters, digits, - or _.',
  );
}

/** The wire request of a start, refused before any call where Polytomic would refuse it. */
function startRequest(input: {
  fetchMode?: string | null | undefined;
  resyncMode?: string | null | undefined;
  schemas?: readonly string[] | null | undefined;
  test?: boolean | null | undefined;
}): StartRequest {
  if (input.fetchMode === 'UNKNOWN') {
    throw clientError(ErrorCode.BAD_USER_INPUT, 'fetchMode UNKNOWN cannot be asked for.');
  }
  if (input.test && input.resyncMode) {
    throw clientError(ErrorCode.BAD_USER_INPUT, 'A test run cannot be combined with resyncMode.');
  }
  return {
    fetchMode: input.fetchMode?.toLowerCase(),
    resyncMode: input.resyncMode ?? undefined,
    schemas: input.schemas,
    test: input.test ?? undefined,
  };
}

/** Runs an action; its failure leaves with the contract's codes (CONFLICT for a 409). */
async function act<T>(id: string, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    throw toActionError(error, id);
  }
}
