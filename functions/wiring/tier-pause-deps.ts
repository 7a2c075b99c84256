/** What the pause and resume routes need: the stored states and the tiers' event source mappings. */
import { LambdaTierEventSources } from '../adapters/lambda/event-source-switch.ts';
import { systemClock } from '../core/clock.ts';
import type { TierPauseDeps } from '../usecases/tier-pause.ts';
import { lambdaClient } from './lambda-client.ts';
import { tierControl } from './tier-control.ts';
import { tierEventSourceMappings } from './tier-control-env.ts';

export const tierPauseDeps: TierPauseDeps = {
  tiers: tierControl,
  eventSources: new LambdaTierEventSources(lambdaClient, tierEventSourceMappings()),
  clock: systemClock,
};
