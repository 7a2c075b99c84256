/**
 * The CDK app: `npx cdk synth|deploy [-c key=value ...]` (context keys: infra/context.ts). Stacks are
 * environment-agnostic, so synth needs no credentials.
 */
import { buildApp } from './build-app.ts';
import { dropBundlingProgress } from './quiet-synth.ts';

dropBundlingProgress();
buildApp().app.synth();
