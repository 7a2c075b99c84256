/**
 * What the fault harness saw happen, kept outside the system under test: every agent run by job and
 * attempt, every accepted completion, every write a zombie run tried, and how many faults of each kind
 * were injected. A soak that restarts the stack merges the ledgers of its processes.
 */
export interface FaultCounts {
  /** Runs paused past the stale threshold (mid-run, or just before the final write). */
  zombies: number;
  /** Writes those runs tried after they resumed, and how many the store refused (fenced off). */
  zombieWrites: number;
  zombieWritesFenced: number;
  /** DynamoDB requests answered with throttling on every SDK attempt, and the SDK attempts so answered. */
  throttledRequests: number;
  throttledAttempts: number;
  /** Throttling errors that came out of the SDK into the job store's callers. */
  throttlesReachedCode: number;
  /** Visibility extensions refused, so the message came back while its run was still going. */
  lostExtensions: number;
  /** Deliveries of a message while another invocation still held the same message. */
  redeliveredWhileHeld: number;
  /** Receives of poison messages (the worker crashed on them). */
  poisonReceives: number;
  /** First messages delivered late (after the lost-message sweep re-sent them). */
  lateMessages: number;
  /** Step-record writes of paused durable runs ("zombie-step") refused by the store. */
  zombieStepWritesFenced: number;
  /** Durable jobs: accepted step-record writes, and hand-offs to a fresh invocation (continuations). */
  stepWrites: number;
  continuations: number;
}

/** One run of a durable step's function: in which attempt and continuation, when, and how it ended. */
export interface StepRun {
  attempt: number;
  continuation: number;
  startedAt: number;
  outcome: 'running' | 'returned' | 'threw';
}

export interface LedgerData {
  agentRuns: Record<string, number>;
  /** When and in which process each run started, by `jobId#attempt`: the detail of a repeat. */
  runStarts: Record<string, string[]>;
  completions: Record<string, number>;
  earlyClaims: string[];
  acceptedZombieWrites: string[];
  counts: FaultCounts;
  /** Durable jobs: invocations by `jobId#attempt#continuation`; step runs by `jobId#step`. */
  durableRuns?: Record<string, number>;
  stepRuns?: Record<string, StepRun[]>;
  /** When each step's completed record was first accepted by the store, by `jobId#step`. */
  stepStoredAt?: Record<string, number>;
  /** Durable jobs' runs that ended otherwise than by the agent (worker_lost, timeout, ...), by job. */
  interruptions?: Record<string, string[]>;
}

export class Ledger {
  readonly agentRuns = new Map<string, number>();
  readonly runStarts = new Map<string, string[]>();
  readonly completions = new Map<string, number>();
  /** Claims of a retrying job before its backoff ended. */
  readonly earlyClaims: string[] = [];
  readonly acceptedZombieWrites: string[] = [];
  readonly durableRuns = new Map<string, number>();
  readonly stepRuns = new Map<string, StepRun[]>();
  readonly stepStoredAt = new Map<string, number>();
  readonly interruptions = new Map<string, string[]>();
  readonly counts: FaultCounts = {
    zombies: 0,
    zombieWrites: 0,
    zombieWritesFenced: 0,
    throttledRequests: 0,
    throttledAttempts: 0,
    throttlesReachedCode: 0,
    lostExtensions: 0,
    redeliveredWhileHeld: 0,
    poisonReceives: 0,
    lateMessages: 0,
    zombieStepWritesFenced: 0,
    stepWrites: 0,
    continuations: 0,
  };

  agentRan(jobId: string, attempt: number): void {
    const key = `${jobId}#${attempt}`;
    bump(this.agentRuns, key);
    const starts = this.runStarts.get(key) ?? [];
    starts.push(`pid ${process.pid} at ${new Date().toISOString()}`);
    this.runStarts.set(key, starts);
  }

  durableRan(jobId: string, attempt: number, continuation: number): void {
    bump(this.durableRuns, `${jobId}#${attempt}#${continuation}`);
  }

  /** A step's function starts; the caller sets the run's outcome when it ends. */
  stepStarted(jobId: string, step: number, attempt: number, continuation: number): StepRun {
    const run: StepRun = { attempt, continuation, startedAt: Date.now(), outcome: 'running' };
    const key = `${jobId}#${step}`;
    this.stepRuns.set(key, [...(this.stepRuns.get(key) ?? []), run]);
    return run;
  }

  /** The store accepted a write whose step records say these steps completed. */
  stepsStored(jobId: string, steps: readonly string[]): void {
    const now = Date.now();
    for (const step of steps) {
      const key = `${jobId}#${step}`;
      if (!this.stepStoredAt.has(key)) this.stepStoredAt.set(key, now);
    }
  }

  interrupted(jobId: string, code: string): void {
    this.interruptions.set(jobId, [...(this.interruptions.get(jobId) ?? []), code]);
  }

  completed(jobId: string): void {
    bump(this.completions, jobId);
  }

  toJSON(): LedgerData {
    return {
      agentRuns: Object.fromEntries(this.agentRuns),
      runStarts: Object.fromEntries(this.runStarts),
      completions: Object.fromEntries(this.completions),
      earlyClaims: this.earlyClaims,
      acceptedZombieWrites: this.acceptedZombieWrites,
      counts: this.counts,
      durableRuns: Object.fromEntries(this.durableRuns),
      stepRuns: Object.fromEntries(this.stepRuns),
      stepStoredAt: Object.fromEntries(this.stepStoredAt),
      interruptions: Object.fromEntries(this.interruptions),
    };
  }

  /** Adds another process's ledger to this one. */
  merge(other: LedgerData): void {
    for (const [key, n] of Object.entries(other.agentRuns)) bump(this.agentRuns, key, n);
    for (const [key, starts] of Object.entries(other.runStarts ?? {}))
      this.runStarts.set(key, [...(this.runStarts.get(key) ?? []), ...starts]);
    for (const [key, n] of Object.entries(other.completions)) bump(this.completions, key, n);
    this.earlyClaims.push(...other.earlyClaims);
    this.acceptedZombieWrites.push(...other.acceptedZombieWrites);
    for (const key of Object.keys(this.counts) as Array<keyof FaultCounts>)
      this.counts[key] += other.counts[key] ?? 0;
    for (const [key, n] of Object.entries(other.durableRuns ?? {})) bump(this.durableRuns, key, n);
    for (const [key, runs] of Object.entries(other.stepRuns ?? {}))
      this.stepRuns.set(key, [...(this.stepRuns.get(key) ?? []), ...runs]);
    for (const [key, at] of Object.entries(other.stepStoredAt ?? {}))
      this.stepStoredAt.set(key, Math.min(at, this.stepStoredAt.get(key) ?? at));
    for (const [key, codes] of Object.entries(other.interruptions ?? {}))
      this.interruptions.set(key, [...(this.interruptions.get(key) ?? []), ...codes]);
  }
}

function bump(map: Map<string, number>, key: string, by = 1): void {
  map.set(key, (map.get(key) ?? 0) + by);
}
