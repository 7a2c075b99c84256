/** The environment of the tier pause routes (kept apart so the stack and the CDK can name it without loading clients). */
import { TIERS, type Tier } from '../core/tiers.ts';
import { ConfigError, requireEnv } from './env.ts';

export const TIER_CONTROL_ENV = {
  /** JSON `{"critical": "<mapping UUID>", ...}`: each tier queue's SQS event source mapping. */
  tierEventSourceMappings: 'TIER_EVENT_SOURCE_MAPPINGS',
} as const;

export function tierEventSourceMappings(env = process.env): Record<Tier, string> {
  const name = TIER_CONTROL_ENV.tierEventSourceMappings;
  const raw = requireEnv(name, env);
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    throw new ConfigError(`${name} must be JSON, got "${raw}"`);
  }
  for (const tier of TIERS) {
    const uuid = (parsed as Record<string, unknown> | null)?.[tier];
    if (typeof uuid !== 'string' || uuid === '') throw new ConfigError(`${name}.${tier} must name a mapping`);
  }
  return parsed as Record<Tier, string>;
}
