import { type RunSchema, type RunSpec, runView } from './run.js';
import { type BaseRun, type RunSource, seriesSource } from './sources.js';
import { stableUnit, stableUuid } from './time.js';
import type { BulkFetchMode, BulkOutputDisposition } from './wire-types.js';

/** How a catalogue sync's scheduled runs vary from one run to the next. */
export interface HistoryPlan {
  syncId: string;
  periodMs: number;
  /** Where in the period (counted from the Unix epoch, UTC) its runs start. */
  phaseMs: number;
  /** Runs that happened before the simulator started. */
  pastRuns: number;
  /** Shortest and longest running phase. */
  runningMs: readonly [number, number];
  /** `records` is a typical run's count; each run varies it by ±40 %. */
  schemas: readonly RunSchema[];
  fetchMode: BulkFetchMode;
  outputDisposition: BulkOutputDisposition;
  /** Share of runs that fail on `failure.schema`, and of runs someone cancels. */
  failRate: number;
  cancelRate: number;
  failure: { schema: string; message: string; errors: number };
  /** Every run from this long before the start on fails (a broken connection). */
  brokenSinceMs?: number;
}

/** The run spec of run `k` of a plan: a pure function of the plan, `k` and the start time. */
function scheduledSpec(plan: HistoryPlan, k: number, start: number, startedAt: number): RunSpec {
  const unit = (tag: string): number => stableUnit(`${plan.syncId}/run/${k}/${tag}`);
  const [shortest, longest] = plan.runningMs;
  const runningMs = Math.round((shortest + (longest - shortest) * unit('length')) / 1000) * 1000;
  const roll = unit('outcome');
  const broken = plan.brokenSinceMs !== undefined && start >= startedAt - plan.brokenSinceMs;
  const fails = broken || roll < plan.failRate;
  const canceled = !fails && roll < plan.failRate + plan.cancelRate;
  const schemas = plan.schemas.map((s, n) => ({
    ...s,
    records: Math.round(s.records * (0.6 + 0.8 * unit(`volume/${n}`))),
    ...(fails && s.schema === plan.failure.schema
      ? { failure: { message: plan.failure.message, errors: plan.failure.errors } }
      : {}),
  }));
  return {
    id: stableUuid(`${plan.syncId}/execution/${k}`),
    type: 'scheduled',
    start,
    createdMs: 4_000,
    runningMs,
    exportingMs: 20_000 + Math.round(unit('export') * 40) * 1000,
    schemas,
    fetchMode: plan.fetchMode,
    outputDisposition: plan.outputDisposition,
    isResync: false,
    isTest: false,
    isPartial: false,
    ...(canceled ? { cancelAt: start + 4_000 + Math.round(runningMs * 0.4) } : {}),
  };
}

/** A catalogue sync's scheduled runs: `pastRuns` before the start, then on, on schedule. */
export function historyRuns(plan: HistoryPlan): (startedAt: number) => RunSource {
  return (startedAt) => {
    const offset = (((plan.phaseMs - startedAt) % plan.periodMs) + plan.periodMs) % plan.periodMs;
    return seriesSource({
      anchor: startedAt + offset,
      periodMs: plan.periodMs,
      firstK: -plan.pastRuns,
      run: (k, start): BaseRun => {
        const spec = scheduledSpec(plan, k, start, startedAt);
        return { id: spec.id, start, view: (now) => runView(spec, now) };
      },
    });
  };
}
