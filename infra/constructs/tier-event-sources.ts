/**
 * Tier pause, deployed: the function serving `POST /admin/tiers/{tier}/pause|resume` learns each tier
 * queue's event source mapping UUID from TIER_EVENT_SOURCE_MAPPINGS and may call
 * lambda:UpdateEventSourceMapping on exactly those four mappings (their ARNs), nothing else. The API
 * function depends on the mappings (which depend on the worker and the queues), never the reverse: no cycle.
 */

import { Stack } from 'aws-cdk-lib';
import type { Function as LambdaFunction } from 'aws-cdk-lib/aws-lambda';
import type { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import { TIERS, type Tier } from '../../functions/core/tiers.ts';
import { TIER_CONTROL_ENV } from '../../functions/wiring/tier-control-env.ts';
import { grantEventSourceSwitch } from './bindings.ts';

export function bindTierEventSources(fn: LambdaFunction, sources: Record<Tier, SqsEventSource>): void {
  fn.addEnvironment(
    TIER_CONTROL_ENV.tierEventSourceMappings,
    Stack.of(fn).toJsonString(
      Object.fromEntries(TIERS.map((tier) => [tier, sources[tier].eventSourceMappingId])),
    ),
  );
  grantEventSourceSwitch(
    fn,
    TIERS.map((tier) => sources[tier]),
  );
}
