/**
 * The shape of bench/results.json: one entry per section (its `run`'s result, written by its own child
 * process), the goals of issue 14 met or missed, and the machine it ran on.
 */
import type * as bundles from '../sections/bundles.ts';
import type * as cost from '../sections/cost.ts';
import type * as overhead from '../sections/overhead.ts';
import type * as requests from '../sections/requests.ts';
import type * as scale from '../sections/scale.ts';
import type * as scaleEnvelope from '../sections/scale-envelope.ts';
import type * as throughput from '../sections/throughput.ts';
import type { GoalRow } from './goals.ts';

/** In run order: `cost` and `scale-envelope` are computed from `requests` and `overhead`. */
export const SECTIONS = [
  'requests',
  'overhead',
  'cost',
  'scale-envelope',
  'bundles',
  'throughput',
  'scale',
] as const;
export type SectionName = (typeof SECTIONS)[number];
/** Sections computed from others' results, and which. */
export const NEEDS: Partial<Record<SectionName, SectionName[]>> = {
  cost: ['requests', 'overhead'],
  'scale-envelope': ['requests', 'overhead'],
};

/** The user the bench's jobs belong to (its keys show up as per-user hot keys in the scale envelope). */
export const BENCH_USER = 'bench-user';

/** Which overhead measurement stands for an invocation of each function (sections cost, scale-envelope). */
export const TIMING_FOR: Record<string, string> = {
  authorizer: 'HTTP authorizer',
  'api/submit-job': 'POST /jobs',
  worker: 'worker (demo/echo)',
  notifier: 'notifier, nobody subscribed',
  stream: 'stream consumer',
  'ws/authorizer': 'WebSocket authorizer',
  'ws/connect': 'WebSocket $connect',
  'ws/message': 'WebSocket subscribe',
  'ws/disconnect': 'WebSocket $disconnect',
};

/** A function without a measurement of its own (a new stream consumer) is timed like the stream consumer. */
export const timingNameFor = (module: string) => TIMING_FOR[module] ?? 'stream consumer';

export interface SectionContext {
  /** Smaller runs for iterating on the bench itself (`--quick`); the figures are noisier. */
  quick: boolean;
  /** Results of the sections run so far in this invocation, or earlier ones from results.json. */
  previous: BenchResults['sections'];
  log: (line: string) => void;
}

export interface Stamp {
  measuredAt: string;
  wallSeconds: number;
  quick: boolean;
}

type Result<M extends { run: (ctx: SectionContext) => Promise<unknown> }> = Awaited<ReturnType<M['run']>> &
  Stamp;

export interface BenchResults {
  generatedAt: string;
  environment: { node: string; platform: string; cpus: number; cpuModel: string; memoryGb: number };
  sections: {
    requests?: Result<typeof requests>;
    overhead?: Result<typeof overhead>;
    cost?: Result<typeof cost>;
    'scale-envelope'?: Result<typeof scaleEnvelope>;
    bundles?: Result<typeof bundles>;
    throughput?: Result<typeof throughput>;
    scale?: Result<typeof scale>;
  };
  goals?: GoalRow[];
}
