/**
 * The jobs a fault run submits: a deterministic mix of outcomes (success, transient failures that recover
 * or exhaust the retries, permanent failures), faults (zombie runs, lost visibility extensions, throttles
 * that exhaust the SDK's retries, poison messages, late messages) and dependency chains that release as
 * well as fail. Each job's params say which fault it gets and how it must end.
 */
import type { JobStatus } from '../../../functions/core/job.ts';
import type { DurableProbeParams } from './durable-probe.ts';
import type { Fault, ProbeParams } from './probe-agent.ts';

export interface FaultMix {
  /** Shares (out of the sum of all weights) of each kind of job. */
  weights: Record<Kind, number>;
  /**
   * The backoff of a "late" job's retry: its late first message must arrive during it (after the
   * lost-message re-send, before the retry is due), so it is set with the run's lost-message threshold.
   */
  lateRetryDelaySeconds: number;
}

export type Kind =
  | 'ok'
  | 'flaky'
  | 'exhaust'
  | 'permanent'
  | 'zombie-run'
  | 'zombie-final'
  | 'slow-redelivery'
  | 'throttle'
  | 'poison'
  | 'late'
  | 'child'
  | 'grandchild'
  | 'durable'
  | 'durable-continue'
  | 'durable-zombie'
  | 'durable-permanent';

export const TEST_MIX: FaultMix = {
  weights: {
    ok: 22,
    flaky: 12,
    exhaust: 5,
    permanent: 5,
    'zombie-run': 5,
    'zombie-final': 5,
    'slow-redelivery': 3,
    throttle: 8,
    poison: 3,
    late: 6,
    child: 20,
    grandchild: 9,
    durable: 5,
    'durable-continue': 4,
    'durable-zombie': 2,
    'durable-permanent': 1,
  },
  lateRetryDelaySeconds: 40,
};

/** At scale, fewer of the faults that hold a worker for seconds. */
export const SOAK_MIX: FaultMix = {
  weights: {
    ...TEST_MIX.weights,
    ok: 38,
    'zombie-run': 0.3,
    'zombie-final': 0.3,
    'slow-redelivery': 0.5,
    'durable-zombie': 0.3,
  },
  lateRetryDelaySeconds: 60,
};

export interface PlannedJob {
  user: string;
  kind: Kind;
  body: Record<string, unknown>;
  expect: JobStatus;
}

interface Earlier {
  id: string;
  user: string;
  kind: Kind;
  expect: JobStatus;
}

/** Deterministic dice from the index, so a run is reproducible. */
const dice = (i: number, salt: number) => {
  const x = Math.sin(i * 12.9898 + salt * 78.233) * 43758.5453;
  return x - Math.floor(x);
};

const kindFor = (i: number, mix: FaultMix): Kind => {
  const entries = Object.entries(mix.weights) as Array<[Kind, number]>;
  const total = entries.reduce((sum, [, w]) => sum + w, 0);
  let roll = dice(i, 1) * total;
  for (const [kind, weight] of entries) {
    roll -= weight;
    if (roll < 0) return kind;
  }
  return 'ok';
};

/** Mostly the tiers with the most workers, so a run is not all waiting on the low tier's two. */
const priorityFor = (i: number): number => {
  const roll = dice(i, 2);
  if (roll < 0.5) return 9 + Math.floor(dice(i, 3) * 2);
  if (roll < 0.75) return 7 + Math.floor(dice(i, 3) * 2);
  if (roll < 0.9) return 4 + Math.floor(dice(i, 3) * 3);
  return 1 + Math.floor(dice(i, 3) * 3);
};

/** Parents are chosen among a user's latest submissions: this many of them are kept. */
const RECENT = 60;

export type PlannerState = Record<string, Earlier[]>;

export class Planner {
  /** Per user, the latest submitted jobs (at most RECENT). */
  readonly #recent = new Map<string, Earlier[]>();
  readonly #mix: FaultMix;
  readonly #users: number;

  /** `state` continues the plan of an earlier process (a soak's second life): see `toJSON`. */
  constructor(mix: FaultMix, users: number, state: PlannerState = {}) {
    this.#mix = mix;
    this.#users = users;
    for (const [user, jobs] of Object.entries(state)) this.#recent.set(user, [...jobs]);
  }

  /** The job at index `i`; dependants pick parents among jobs already submitted (see `submitted`). */
  plan(i: number): PlannedJob {
    const user = `fault-user-${i % this.#users}`;
    let kind = kindFor(i, this.#mix);
    const mine = this.#recent.get(user) ?? [];
    const parents =
      kind === 'child'
        ? pick(
            mine.filter((job) => job.kind !== 'child' && job.kind !== 'grandchild'),
            i,
          )
        : kind === 'grandchild'
          ? pick(
              mine.filter((job) => job.kind === 'child'),
              i,
            )
          : [];
    if ((kind === 'child' || kind === 'grandchild') && parents.length === 0) kind = 'ok';
    const common = { priority: priorityFor(i), retryDelaySeconds: 1, maxRetries: 5 };
    const probe = (params: Omit<ProbeParams, 'expect'>, expect: JobStatus, extra = {}): PlannedJob => ({
      user,
      kind,
      expect,
      body: {
        type: 'probe',
        command: 'work',
        params: { ...params, expect },
        ...common,
        ...extra,
      },
    });
    const durable = (params: Omit<DurableProbeParams, 'expect'>, expect: JobStatus): PlannedJob => ({
      user,
      kind,
      expect,
      body: { type: 'probe', command: 'steps', params: { ...params, expect }, ...common },
    });
    const fault = (f: Fault) => ({ fault: f });
    const quick = Math.floor(dice(i, 4) * 150);
    switch (kind) {
      case 'flaky':
        return probe({ ms: quick, failTimes: 1 + Math.floor(dice(i, 5) * 2) }, 'completed');
      case 'exhaust':
        // Dead either way: by its own errors, or by a last run that looked crashed (worker_lost).
        return probe({ ms: quick, failTimes: 99 }, 'dead', { maxRetries: 1 });
      case 'permanent':
        return probe({ ms: quick, permanent: true, expectCode: 'probe_permanent' }, 'failed');
      case 'zombie-run':
        return probe({ ms: 1500, steps: 3, ...fault('zombie-run') }, 'completed');
      case 'zombie-final':
        return probe({ ms: quick, ...fault('zombie-final') }, 'completed');
      case 'slow-redelivery':
        return probe({ ms: 5000, steps: 5, ...fault('slow-redelivery') }, 'completed');
      case 'throttle':
        return probe({ ms: quick, steps: 2, ...fault('throttle') }, 'completed');
      case 'poison':
        return probe({ ms: 0, ...fault('poison'), expectCode: 'dead_lettered' }, 'dead');
      case 'late':
        // Its backoff is long, so a late first message arriving during it would start the retry early.
        return probe({ ms: quick, failTimes: 1, ...fault('late') }, 'completed', {
          retryDelaySeconds: this.#mix.lateRetryDelaySeconds,
        });
      case 'durable': {
        // A transient failure at a step in attempt 1 (and sometimes a later one in attempt 2).
        const at = 1 + Math.floor(dice(i, 10) * 5);
        const failAt =
          dice(i, 11) < 0.3
            ? []
            : dice(i, 12) < 0.5
              ? [{ step: at, attempt: 1 }]
              : [
                  { step: at, attempt: 1 },
                  { step: Math.min(5, at + 1), attempt: 2 },
                ];
        return durable({ steps: 5, ms: Math.floor(quick / 5), failAt }, 'completed');
      }
      case 'durable-continue':
        // Step "1" takes 3 s, so each later 0.2 s step keeps a 4 s estimate: an invocation limited to 9 s
        // (8.1 s after the tenth kept for recording) runs at most 7 steps of 8 (so at least one
        // continuation), and a step starts with 3.8 s to spare before the limit (a step or its write that
        // stalls longer on a loaded machine times out: the job retries, an unplanned interruption).
        // The planned failure is at step 8, which always runs in a continuation: a failure at an earlier
        // step could come before the first continuation on a quick machine, and attempt 2 (steps 1-5
        // replayed, not run) would then finish without continuing.
        return durable(
          {
            steps: 8,
            ms: 200,
            firstMs: 3000,
            budgetMs: 9000,
            failAt: dice(i, 10) < 0.5 ? [{ step: 8, attempt: 1 }] : [],
          },
          'completed',
        );
      case 'durable-zombie':
        return durable({ steps: 4, ms: 100, fault: 'zombie-step' }, 'completed');
      case 'durable-permanent':
        return durable(
          { steps: 5, ms: Math.floor(quick / 5), permanentAt: 3, expectCode: 'probe_permanent' },
          'failed',
        );
      case 'child':
      case 'grandchild': {
        const released = parents.every((parent) => parent.expect === 'completed');
        return {
          ...probe(
            { ms: quick, ...(released ? {} : { expectCode: 'dependency_failed' }) },
            released ? 'completed' : 'failed',
          ),
          body: {
            type: 'probe',
            command: 'work',
            params: {
              ms: quick,
              expect: released ? 'completed' : 'failed',
              ...(released ? {} : { expectCode: 'dependency_failed' }),
            },
            ...common,
            dependsOn: parents.map((parent) => parent.id),
          },
        };
      }
      default:
        return probe({ ms: quick }, 'completed');
    }
  }

  /** Records a submitted job so later dependants can wait for it. */
  submitted(id: string, planned: PlannedJob): void {
    const mine = this.#recent.get(planned.user) ?? [];
    mine.push({ id, user: planned.user, kind: planned.kind, expect: planned.expect });
    if (mine.length > RECENT) mine.shift();
    this.#recent.set(planned.user, mine);
  }

  toJSON(): PlannerState {
    return Object.fromEntries(this.#recent);
  }
}

/** One or two parents, chosen so that about half the dependants are released and half fail. */
function pick(candidates: Earlier[], i: number): Earlier[] {
  if (candidates.length === 0) return [];
  const good = candidates.filter((job) => job.expect === 'completed');
  const bad = candidates.filter((job) => job.expect !== 'completed');
  const first = dice(i, 6) < 0.55 && good.length > 0 ? good : bad.length > 0 ? bad : good;
  const chosen = [first[Math.floor(dice(i, 7) * first.length)] as Earlier];
  const second = good[Math.floor(dice(i, 8) * good.length)];
  if (dice(i, 9) < 0.5 && second && second.id !== chosen[0]?.id) chosen.push(second);
  return chosen;
}
