export type { Visibility } from './auth.js';
export { SIM_CYCLE } from './cycle.js';
export type { Fault, InjectOptions } from './faults.js';
export { TRUNCATED_BODY } from './faults.js';
export {
  SIM_DEFAULT_VERSION,
  SIM_DEPLOYMENT_KEY,
  SIM_KEY,
  SIM_ORG_ID,
  SIM_OTHER_KEY,
  SIM_OTHER_KEY_SYNCS,
  SIM_SYNCS,
} from './ids.js';
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
export type { StatusBody } from './syncs.js';
export type * from './wire-types.js';
