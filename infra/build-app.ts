/**
 * Builds the CDK app as `cdk synth` runs it: settings from context, the stack, and cdk-nag's AWS Solutions
 * checks registered as a validation plugin (cdk-nag 3 replaced its v2 Aspect with CDK's Validations API),
 * so any unacknowledged finding stops the synth. infra/app.ts and the infra tests share it.
 */
import { App, type AppProps, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { settingsFromContext } from './context.ts';
import { JobQueueStack } from './job-queue-stack.ts';

export interface BuildAppOptions {
  /** The built dashboard's directory (infra/dashboard-assets.ts); none: the bucket gets only config.json. */
  dashboardAssets?: string;
}

export function buildApp(
  props: AppProps = {},
  options: BuildAppOptions = {},
): { app: App; stack: JobQueueStack } {
  const app = new App(props);
  const settings = settingsFromContext(app.node);
  const stack = new JobQueueStack(app, `JobQueue-${settings.stage}`, {
    description: `Serverless priority job queue (${settings.stage})`,
    settings,
    ...(options.dashboardAssets && { dashboardAssets: options.dashboardAssets }),
  });
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app, { verbose: true }));
  return { app, stack };
}
