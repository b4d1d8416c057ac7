export type { Visibility } from './auth.js';
export { SIM_CYCLE } from './cycle.js';
export { EXECUTIONS_PAGE_SIZE } from './endpoints/executions.js';
export type { EventOverrides } from './events.js';
export { EVENT_RETENTION_MS, EVENT_TYPES } from './events.js';
export type { Fault, FaultTarget, InjectOptions } from './faults.js';
export { TRUNCATED_BODY } from './faults.js';
export { IDEMPOTENCY_TTL_MS } from './idempotency.js';
export {
  SIM_CATALOGUE_SYNCS,
  SIM_CONNECTIONS,
  SIM_DEFAULT_VERSION,
  SIM_DEPLOYMENT_KEY,
  SIM_KEY,
  SIM_ORG_ID,
  SIM_OTHER_KEY,
  SIM_OTHER_KEY_SYNCS,
  SIM_SCHEDULES_VERSION,
  SIM_SECRET_PREFIX,
  SIM_SYNCS,
} from './ids.js';
export type { RouteKind } from './routes.js';
export { ROUTE_KINDS } from './routes.js';
export { SIM_MANUAL_RUN } from './run.js';
export { createSimulator } from './server.js';
export type {
  AddSyncOptions,
  RecordedRequest,
  Simulator,
  SimulatorOptions,
} from './simulator-types.js';
export {
  BACKFILL_BASE,
  BACKFILL_ROWS_PER_MS,
  IDLE_PERIOD_MS,
  INGESTION_FLIP_MS,
} from './special-syncs.js';
export type { StatusBody } from './sync-definition.js';
export { HISTORY_LIMIT } from './timeline.js';
export type { WebhookDelivery, WebhookFault, WebhookOptions } from './webhook.js';
export { WEBHOOK_RETRIES, webhookSignature } from './webhook.js';
export type * from './wire-types.js';
