/**
 * Intent-level wiring: each helper gives a function one capability, setting the env var that names the
 * resource and the IAM grant for exactly what the capability needs, in one call. Nothing here grants on `*`.
 */
import { type CfnElement, Stack, Validations } from 'aws-cdk-lib';
import type { WebSocketStage } from 'aws-cdk-lib/aws-apigatewayv2';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { Function as LambdaFunction } from 'aws-cdk-lib/aws-lambda';
import type { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import type { ISecret } from 'aws-cdk-lib/aws-secretsmanager';
import type { IConstruct } from 'constructs';
import type { Tier } from '../../functions/core/tiers.ts';
import { quotaEnvironment } from '../../functions/wiring/quotas.ts';
import { envNames } from '../env-names.ts';
import type { UserQuotas } from '../limits.ts';
import type { StoreTable } from './job-store.ts';
import type { TierQueues } from './tier-queues.ts';

export type TableAccess = 'read' | 'readWrite';

/**
 * Reads are by key and by index query; no function scans a table (see functions/adapters/dynamodb/
 * job-store.ts). The one Scan, of the sparse `byWebhook` index with Limit 1, is granted on that index alone
 * (infra/constructs/webhooks.ts).
 */
const TABLE_ACTIONS: Record<TableAccess, string[]> = {
  read: ['dynamodb:GetItem', 'dynamodb:BatchGetItem', 'dynamodb:Query', 'dynamodb:DescribeTable'],
  readWrite: [
    'dynamodb:GetItem',
    'dynamodb:BatchGetItem',
    'dynamodb:Query',
    'dynamodb:DescribeTable',
    'dynamodb:ConditionCheckItem',
    'dynamodb:PutItem',
    'dynamodb:UpdateItem',
    'dynamodb:DeleteItem',
    'dynamodb:BatchWriteItem',
  ],
};

export function bindTable(fn: LambdaFunction, table: StoreTable, access: TableAccess): void {
  fn.addEnvironment(table.envName, table.tableName);
  table.grant(fn, ...TABLE_ACTIONS[access]);
  if (table.definition.globalSecondaryIndexes.length > 0) {
    const logicalId = logicalIdOf(table);
    // The grant lands in the function's role (a sibling of the function, see JobFunction).
    Validations.of(fn.role ?? fn).acknowledge({
      id: `AwsSolutions-IAM5[Resource::<${logicalId}.Arn>/index/*]`,
      reason: `Queries the indexes of the ${table.definition.id} table (${table.definition.globalSecondaryIndexes.map((index) => index.indexName).join(', ')}); index/* covers exactly this table's indexes.`,
    });
  }
}

/** The jobs table plus what every user of the job store reads with it. */
export interface JobsBinding {
  table: StoreTable;
  /** Days a finished job is kept (RETENTION_DAYS: the job store derives each job's TTL from it). */
  retentionDays: number;
}

export function bindJobs(fn: LambdaFunction, jobs: JobsBinding, access: TableAccess): void {
  bindTable(fn, jobs.table, access);
  fn.addEnvironment(envNames.retentionDays, String(jobs.retentionDays));
}

export type QueueAccess =
  /** Send job messages to any tier. */
  | 'send'
  /** Receive, delete and extend the visibility of messages of the tier queues (the worker). */
  | 'consume';

/** Every function that touches the tier queues gets all four URLs: the dispatcher picks the tier per job. */
export function bindQueues(fn: LambdaFunction, queues: TierQueues, access: QueueAccess): void {
  for (const { queue, envName } of queues.queueEnv()) {
    fn.addEnvironment(envName, queue.queueUrl);
    if (access === 'send') queue.grantSendMessages(fn);
    // grantConsumeMessages covers ReceiveMessage, DeleteMessage, ChangeMessageVisibility,
    // GetQueueAttributes and GetQueueUrl on this queue only.
    else queue.grantConsumeMessages(fn);
  }
}

/**
 * Read and delete the messages of the tier dead-letter queues (the maintenance run that marks their jobs
 * dead): ReceiveMessage and DeleteMessage (which DeleteMessageBatch needs) on those four queues only.
 */
export function bindDeadLetterQueues(fn: LambdaFunction, queues: TierQueues): void {
  for (const { queue, envName } of queues.deadLetterQueueEnv()) {
    fn.addEnvironment(envName, queue.queueUrl);
    queue.grant(fn, 'sqs:ReceiveMessage', 'sqs:DeleteMessage');
  }
}

/**
 * Read the depths of the tier queues and their DLQs (queue stats), and the deployed per-tier concurrency
 * the stats report next to them.
 */
export function bindQueueStats(
  fn: LambdaFunction,
  queues: TierQueues,
  tierConcurrency: Record<Tier, number>,
): void {
  for (const { queue, envName } of [...queues.queueEnv(), ...queues.deadLetterQueueEnv()]) {
    fn.addEnvironment(envName, queue.queueUrl);
    queue.grant(fn, 'sqs:GetQueueAttributes');
  }
  fn.addEnvironment(envNames.tierMaxConcurrency, JSON.stringify(tierConcurrency));
}

/**
 * Switch SQS event source mappings on and off (UpdateEventSourceMapping), and with `readState` read their
 * state (GetEventSourceMapping): on exactly these mappings' ARNs. The function must depend on the mappings
 * (it learns their UUIDs from them), never the reverse.
 */
export function grantEventSourceSwitch(
  fn: LambdaFunction,
  sources: SqsEventSource[],
  options: { readState?: boolean } = {},
): void {
  fn.addToRolePolicy(
    new PolicyStatement({
      actions: [
        'lambda:UpdateEventSourceMapping',
        ...(options.readState ? ['lambda:GetEventSourceMapping'] : []),
      ],
      resources: sources.map((source) => source.eventSourceMappingArn),
    }),
  );
}

/** Post to (and disconnect) the WebSocket connections of one stage. */
export function bindWebSocketManagement(fn: LambdaFunction, stage: WebSocketStage, envName: string): void {
  fn.addEnvironment(envName, stage.callbackUrl);
  // Scoped to this stage's @connections, narrower than WebSocketApi.grantManageConnections (all stages).
  stage.grantManagementApiAccess(fn);
  const apiId = logicalIdOf(stage.api);
  Validations.of(fn.role ?? fn).acknowledge({
    id: `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:execute-api:<AWS::Region>:<AWS::AccountId>:<${apiId}>/${stage.stageName}/*/@connections/*]`,
    reason: `Posts to the clients of the ${stage.stageName} stage of this WebSocket API; connection ids are only known at run time, so the ARN ends in @connections/*.`,
  });
}

/** The CloudFormation logical id of a construct's resource, as cdk-nag prints it in findings. */
function logicalIdOf(construct: IConstruct): string {
  const stack = Stack.of(construct);
  return stack.resolve(stack.getLogicalId(construct.node.defaultChild as CfnElement));
}

/**
 * The DynamoDB event source adds dynamodb:ListStreams on `*` to the function's role: the action has no
 * resource type in IAM. Reading records stays scoped to the table's stream ARN.
 */
export function acknowledgeListStreams(fn: LambdaFunction): void {
  Validations.of(fn.role ?? fn).acknowledge({
    id: 'AwsSolutions-IAM5[Resource::*]',
    reason:
      'dynamodb:ListStreams, added by the DynamoDB event source, has no resource type in IAM and can only be granted on *; it lists stream ARNs, no data. GetRecords/GetShardIterator/DescribeStream stay on this table stream.',
  });
}

/**
 * A secret the function reads at cold start (functions/wiring/secret.ts): its ARN (or the name it was given
 * by) in `envName`, and read access to that secret only. The value itself never enters the environment.
 */
export function bindSecret(
  fn: LambdaFunction,
  secret: ISecret,
  envName: string,
  secretId = secret.secretArn,
): void {
  fn.addEnvironment(envName, secretId);
  secret.grantRead(fn);
}

/** The per-user quotas (QUOTA_*), for the functions that enforce them. */
export function bindQuotas(fn: LambdaFunction, quotas: UserQuotas): void {
  for (const [name, value] of Object.entries(quotaEnvironment(quotas))) fn.addEnvironment(name, value);
}
