/**
 * The tier states and the tiers' event sources, built once from the environment. The stats and the
 * maintenance sweep only read the states (`tierControl`); the pause routes also switch the event sources
 * (tier-pause-deps.ts, which requires TIER_EVENT_SOURCE_MAPPINGS at load and is imported by those routes only).
 */
import { DynamoTierControlStore } from '../adapters/dynamodb/tier-control-store.ts';
import { TIERS, type Tier } from '../core/tiers.ts';
import { jobsTableName } from './config.ts';
import { dynamoClient } from './dynamo-client.ts';
import { ConfigError, requireEnv } from './env.ts';

export const TIER_CONTROL_ENV = {
  /** JSON `{"critical": "<mapping UUID>", ...}`: each tier queue's SQS event source mapping. */
  tierEventSourceMappings: 'TIER_EVENT_SOURCE_MAPPINGS',
} as const;

export const tierControl = new DynamoTierControlStore(dynamoClient, jobsTableName());

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
