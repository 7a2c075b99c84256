/**
 * The attribute names of the metric rollup items (`MET#<scope>#<step>`): one per field, tier and type,
 * written `<field code>|<tier code>|<type>` (`c|n|demo` for completed jobs of demo on the normal tier).
 *
 * Why codes: a write bills 1 WRU per started KB of the item, and every statistics batch writes the
 * current minute and hour of two scopes (×2 in its transaction). An hour of a deployment with 4 tiers × 5
 * types holds up to 200 attributes: with the full names (`executionTimeCount|normal|demo`) that is 5.5 KB,
 * 6 WRU per write; with codes 2.8 KB, 3 WRU (4 tier/type pairs: 1.3 KB, 2 WRU → 0.6 KB, 1 WRU).
 *
 * Items written before (full names) are still read: a name whose field or tier is not a code passes
 * through unchanged, and every name is read back in the full form `<field>|<tier>|<type>`.
 */
import type { MetricField } from '../../core/metrics.ts';
import { TIERS } from '../../core/tiers.ts';

const FIELD_CODES: Record<MetricField, string> = {
  submitted: 's',
  started: 'r',
  completed: 'c',
  failed: 'f',
  dead: 'd',
  cancelled: 'x',
  queueTimeSum: 'qs',
  queueTimeCount: 'qn',
  executionTimeSum: 'es',
  executionTimeCount: 'en',
};
const TIER_CODES: Record<string, string> = Object.fromEntries(TIERS.map((tier) => [tier, tier.charAt(0)]));

const invert = (codes: Record<string, string>) =>
  new Map(Object.entries(codes).map(([name, code]) => [code, name]));
const FIELDS_BY_CODE = invert(FIELD_CODES);
const TIERS_BY_CODE = invert(TIER_CODES);

/** The stored attribute name of a rollup field. */
export const rollupField = (field: MetricField, tier: string, type: string): string =>
  `${FIELD_CODES[field]}|${TIER_CODES[tier] ?? tier}|${type}`;

/** A stored attribute name, coded or not, in the full form `<field>|<tier>|<type>`. */
export function readRollupField(name: string): string {
  const first = name.indexOf('|');
  const second = first === -1 ? -1 : name.indexOf('|', first + 1);
  if (second === -1) return name;
  const field = name.slice(0, first);
  const tier = name.slice(first + 1, second);
  return `${FIELDS_BY_CODE.get(field) ?? field}|${TIERS_BY_CODE.get(tier) ?? tier}|${name.slice(second + 1)}`;
}
