/**
 * Sums a batch of job changes into the counter and rollup items they touch (pure; no I/O): one entry per
 * item, whatever the number of changes, so a batch costs one write per touched item.
 * - counters: `STATS#ALL` and `STATS#U#<user>`, sort key `S#agg`: the statsDeltas of every change;
 * - rollups: `MET#<scope>#<step>` for the STORED_STEPS (minute, hour), sort key the bucket's ISO start, one
 *   attribute per field, tier and type (coded: rollup-fields.ts), expiring METRICS_RETENTION_DAYS after the
 *   bucket ends.
 * Sums that come to zero are left out, and an item left with nothing to add is not written.
 */
import type { Job } from '../../core/job.ts';
import {
  bucketStart,
  METRICS_RETENTION_DAYS,
  type MetricField,
  type MetricStep,
  metricHits,
  STORED_STEPS,
} from '../../core/metrics.ts';
import { rollupField } from './rollup-fields.ts';
import { ALL_SCOPE, type Deltas, statsDeltas, userScope } from './stats-items.ts';

export interface ItemKey {
  pk: string;
  sk: string;
}

export interface ItemDelta {
  key: ItemKey;
  add: Deltas;
  /** Epoch seconds (TTL); rollups only. */
  expiresAt?: number;
}

export interface JobChange {
  before: Job | undefined;
  after: Job | undefined;
}

/** The one counter item of a scope (older deployments' shards `S#0..7` are summed with it on read). */
export const COUNTER_SK = 'S#agg';
export const rollupKey = (scope: string, step: MetricStep, bucket: number): ItemKey => ({
  pk: `MET#${scope}#${step}`,
  sk: new Date(bucket).toISOString(),
});

const scopesOf = (job: Job) => [ALL_SCOPE, userScope(job.userId)];

export class StatsAggregate {
  readonly items = new Map<string, ItemDelta>();

  /** The keys a change would touch (to keep a transaction under its item limit before adding it). */
  static keysOf(change: JobChange, now: number): string[] {
    const probe = new StatsAggregate();
    probe.add(change, now);
    return [...probe.items.keys()];
  }

  add(change: JobChange, now: number): void {
    const job = change.after ?? change.before;
    if (!job) return;
    const deltas = statsDeltas(change.before, change.after);
    if (Object.keys(deltas).length > 0) {
      for (const scope of scopesOf(job)) this.#add({ pk: `STATS#${scope}`, sk: COUNTER_SK }, deltas);
    }
    for (const hit of metricHits(change.before, change.after, now)) {
      const fields: Deltas = {};
      for (const [field, value] of Object.entries(hit.fields))
        fields[rollupField(field as MetricField, hit.tier, hit.type)] = value;
      for (const scope of scopesOf(job)) {
        for (const step of STORED_STEPS) {
          const bucket = bucketStart(hit.at, step);
          const expiresAt = Math.floor((bucket + step * 1000) / 1000) + METRICS_RETENTION_DAYS * 86400;
          this.#add(rollupKey(scope, step, bucket), fields, expiresAt);
        }
      }
    }
  }

  get size(): number {
    return this.items.size;
  }

  /** The items to write: sums that came to zero left out, items with nothing left to add dropped. */
  writes(): ItemDelta[] {
    const writes: ItemDelta[] = [];
    for (const item of this.items.values()) {
      const add = Object.fromEntries(Object.entries(item.add).filter(([, value]) => value !== 0));
      if (Object.keys(add).length > 0) writes.push({ ...item, add });
    }
    return writes;
  }

  #add(key: ItemKey, deltas: Deltas, expiresAt?: number): void {
    const id = `${key.pk}\u0000${key.sk}`;
    const item = this.items.get(id) ?? { key, add: {}, ...(expiresAt !== undefined && { expiresAt }) };
    for (const [name, value] of Object.entries(deltas)) item.add[name] = (item.add[name] ?? 0) + value;
    this.items.set(id, item);
  }
}
