/**
 * Maintenance on a schedule, with EventBridge rules (not EventBridge Scheduler, which LocalStack accepts but
 * never fires): every minute, start the jobs of due schedules, bury the jobs whose messages reached a tier
 * dead-letter queue (read here, not by event source mappings: README "Performance and cost"), recover stale
 * running jobs, dispatch due jobs, re-send lost messages and promote jobs near their deadline; once a day, delete finished jobs past their retention.
 */
import { Duration } from 'aws-cdk-lib';
import { Rule, Schedule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import { Construct } from 'constructs';
import { schedules } from '../function-settings.ts';
import { maintenanceRetries } from '../resources.ts';
import { bindDeadLetterQueues, bindJobs, bindQueues, bindTable, type JobsBinding } from './bindings.ts';
import { type FunctionDefaults, JobFunction } from './job-function.ts';
import type { StoreTable } from './job-store.ts';
import type { TierQueues } from './tier-queues.ts';

export const RECOVER_EVERY = Duration.seconds(schedules.recover.rateSeconds);
export const CLEANUP_EVERY = Duration.seconds(schedules.cleanup.rateSeconds);

export interface MaintenanceProps {
  defaults: FunctionDefaults;
  jobs: JobsBinding;
  queues: TierQueues;
  /** The schedules table: the every-minute run starts the jobs of due schedules. */
  schedules: StoreTable;
}

export class Maintenance extends Construct {
  public readonly recoverFunction: JobFunction;
  public readonly recoverRule: Rule;
  public readonly cleanupFunction: JobFunction;
  public readonly cleanupRule: Rule;

  constructor(scope: Construct, id: string, props: MaintenanceProps) {
    super(scope, id);
    const { defaults } = props;

    this.recoverFunction = new JobFunction(this, 'Recover', {
      module: schedules.recover.module,
      defaults,
    });
    bindJobs(this.recoverFunction, props.jobs, 'readWrite');
    bindQueues(this.recoverFunction, props.queues, 'send');
    bindTable(this.recoverFunction, props.schedules, 'readWrite');
    bindDeadLetterQueues(this.recoverFunction, props.queues);
    this.recoverRule = new Rule(this, 'RecoverRule', {
      description:
        'Start due schedules, bury dead letters, recover stale jobs, dispatch due jobs, re-send lost messages, promote urgent jobs',
      schedule: Schedule.rate(RECOVER_EVERY),
      // The next run is a minute away: no retries, neither of the delivery (EventBridge) nor of the run (Lambda).
      targets: [new LambdaFunction(this.recoverFunction, { retryAttempts: 0 })],
    });
    this.recoverFunction.configureAsyncInvoke({ retryAttempts: maintenanceRetries.recover.retryAttempts });

    this.cleanupFunction = new JobFunction(this, 'Cleanup', {
      module: schedules.cleanup.module,
      defaults,
    });
    bindJobs(this.cleanupFunction, props.jobs, 'readWrite');
    // It shares maintenanceDeps with recover, whose dispatcher reads the queue URLs at start.
    bindQueues(this.cleanupFunction, props.queues, 'send');
    this.cleanupRule = new Rule(this, 'CleanupRule', {
      description: 'Delete finished jobs past their retention',
      schedule: Schedule.rate(CLEANUP_EVERY),
      // EventBridge retries failed deliveries; Lambda retries failed runs (explicitly, see maintenanceRetries).
      targets: [new LambdaFunction(this.cleanupFunction, { retryAttempts: 2 })],
    });
    this.cleanupFunction.configureAsyncInvoke({ retryAttempts: maintenanceRetries.cleanup.retryAttempts });
  }
}
