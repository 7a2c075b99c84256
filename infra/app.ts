/**
 * The CDK app: `npx cdk synth|deploy [-c key=value ...]` (context keys: infra/context.ts). Stacks are
 * environment-agnostic, so synth needs no credentials.
 */
import { buildApp } from './build-app.ts';
import { buildDashboardAssets } from './dashboard-assets.ts';
import { dropBundlingProgress } from './quiet-synth.ts';

dropBundlingProgress();
const dashboardAssets = await buildDashboardAssets();
buildApp({}, { ...(dashboardAssets && { dashboardAssets }) }).app.synth();
