/** The goals of issue 14, each with its measured value from this run's (or the last) results: met or missed. */
import type { BenchResults } from './results.ts';
import { heading, num, table, usd } from './table.ts';

export interface GoalRow {
  figure: string;
  measured: number | null;
  goal: string;
  /** `met`, `missed by …`, `not measured`, or `reported` (no goal). */
  verdict: string;
}

type Sections = BenchResults['sections'];
interface Goal {
  figure: string;
  /** At most (`max`) or at least (`min`) this; undefined: reported only. */
  max?: number;
  min?: number;
  format: (value: number) => string;
  measure: (s: Sections) => number | undefined;
}

const ms = (value: number) => `${num(value, 1)} ms`;
const platform = (shape: string) => (s: Sections) =>
  s.cost?.shapes.find((c) => c.shape === shape)?.platformUsdPerMillion;
const overheadP50 = (name: string) => (s: Sections) =>
  s.overhead?.handlers.find((h) => h.name === name)?.wallMs.median;
/** Wall minus the time awaiting the emulators (results before this split have none). */
const ownP50 = (name: string) => (s: Sections) =>
  s.overhead?.handlers.find((h) => h.name === name)?.ownMs?.median;

const GOALS: Goal[] = [
  { figure: 'demo/echo, AWS cost per million jobs', max: 7, format: usd, measure: platform('demo/echo') },
  { figure: 'watched 10-step sleep, per million', max: 25, format: usd, measure: platform('demo/sleep') },
  { figure: 'fail×2 then ok, per million', max: 12, format: usd, measure: platform('demo/fail') },
  { figure: '5 durable steps (demo/steps), per million', format: usd, measure: platform('demo/steps') },
  {
    figure: '5 durable steps, 2 continuations, per million',
    format: usd,
    measure: platform('demo/steps continued'),
  },
  { figure: 'idle, per month', max: 1, format: usd, measure: (s) => s.cost?.idle.usdPerMonth },
  {
    figure: 'local throughput, 20 in flight (jobs/s)',
    min: 150,
    format: (v) => num(v, 1),
    measure: (s) => s.throughput?.local.jobsPerSecond,
  },
  { figure: 'local latency p99', max: 1000, format: ms, measure: (s) => s.throughput?.local.latencyMs.p99 },
  {
    figure: 'local ÷ BullMQ throughput (same run)',
    format: (v) => `${num(v, 4)}×`,
    measure: (s) => s.throughput?.ratio ?? undefined,
  },
  {
    figure: 'largest Lambda bundle',
    max: 120 * 1024,
    format: (v) => `${num(v / 1024, 1)} KB`,
    measure: (s) => s.bundles && Math.max(...s.bundles.functions.map((f) => f.bytes)),
  },
  {
    figure: 'worst cold import minus the AWS SDK alone',
    max: 15,
    format: ms,
    measure: (s) =>
      s.bundles &&
      Math.max(
        // Paired per process since the bundles section measures both in one; older results had only the two medians.
        ...s.bundles.functions.map((f) => f.ownImportMs?.median ?? f.importMs.median - f.sdkImportMs.median),
      ),
  },
  { figure: 'handler overhead p50, POST /jobs', max: 3, format: ms, measure: overheadP50('POST /jobs') },
  { figure: 'handler overhead p50, worker', max: 8, format: ms, measure: overheadP50('worker (demo/echo)') },
  // The same bounds for the handlers' own time, without the emulators' latency (which AWS replaces by its own).
  {
    figure: '… of it own time (wall − SDK wait), POST /jobs',
    max: 3,
    format: ms,
    measure: ownP50('POST /jobs'),
  },
  {
    figure: '… of it own time (wall − SDK wait), worker',
    max: 8,
    format: ms,
    measure: ownP50('worker (demo/echo)'),
  },
];

export function evaluateGoals(sections: Sections): GoalRow[] {
  return GOALS.map(({ figure, max, min, format, measure }) => {
    const value = measure(sections);
    const goal = max !== undefined ? `≤ ${format(max)}` : min !== undefined ? `≥ ${format(min)}` : '-';
    if (value === undefined || !Number.isFinite(value))
      return { figure, measured: null, goal, verdict: 'not measured' };
    const miss = max !== undefined ? value - max : min !== undefined ? min - value : 0;
    const verdict =
      max === undefined && min === undefined
        ? 'reported'
        : miss <= 0
          ? 'met'
          : `missed by ${format(miss)} (${num((miss / (max ?? min ?? 1)) * 100, 0)}%)`;
    return { figure, measured: value, goal, verdict: `${format(value)}: ${verdict}` };
  });
}

export function renderGoals(rows: GoalRow[]): string {
  return [
    heading('Goals (issue 14)'),
    table(
      ['figure', 'goal', 'measured: verdict'],
      rows.map((r) => [r.figure, r.goal, r.verdict]),
    ),
  ].join('\n');
}
