/**
 * Schedules in the template: their table (with the sparse due index the sweep reads), and which functions
 * may read or write it (the schedule routes, the trigger route, the every-minute maintenance run).
 */
import { describe, expect, it } from 'vitest';
import type { JobFunction } from '../../infra/constructs/job-function.ts';
import { logicalId, resourcesOf, synth, variablesOf } from './support/synth.ts';

const { stack, json } = synth();
const schedules = stack.store.get('Schedules');
const schedulesId = logicalId(stack, schedules);
const tableProps = json.Resources[schedulesId]?.Properties ?? {};

type PolicyDocument = { Statement: { Action: string | string[]; Resource: unknown }[] };

/** DynamoDB actions a function's role has on the schedules table (or its indexes). */
function scheduleActions(fn: JobFunction): string[] {
  const roleId = logicalId(stack, { node: { defaultChild: fn.role?.node.defaultChild } });
  return resourcesOf(json, 'AWS::IAM::Policy')
    .filter(([, policy]) => JSON.stringify(policy.Properties?.Roles) === JSON.stringify([{ Ref: roleId }]))
    .flatMap(
      ([, policy]) => (policy.Properties?.PolicyDocument as PolicyDocument | undefined)?.Statement ?? [],
    )
    .filter((statement) => JSON.stringify(statement.Resource).includes(`"${schedulesId}"`))
    .flatMap((statement) => (Array.isArray(statement.Action) ? statement.Action : [statement.Action]));
}
const handler = (module: string): JobFunction => {
  const fn = stack.httpApi.handlers.get(module);
  if (!fn) throw new Error(`no ${module} handler`);
  return fn;
};

describe('schedules table', () => {
  it('keys schedules by user and finds due ones through a keys-only index on the next run time', () => {
    expect(tableProps).toMatchObject({
      BillingMode: 'PAY_PER_REQUEST',
      KeySchema: [
        { AttributeName: 'pk', KeyType: 'HASH' },
        { AttributeName: 'sk', KeyType: 'RANGE' },
      ],
      GlobalSecondaryIndexes: [
        {
          IndexName: 'byDue',
          KeySchema: [
            { AttributeName: 'dueKey', KeyType: 'HASH' },
            { AttributeName: 'dueAtKey', KeyType: 'RANGE' },
          ],
          Projection: { ProjectionType: 'KEYS_ONLY' },
        },
      ],
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
      SSESpecification: { SSEEnabled: true },
    });
    // Nothing reacts to schedule changes: no stream to pay for.
    expect(tableProps.StreamSpecification).toBeUndefined();
  });

  it('is named to the functions that use it, and only to them', () => {
    const users = [
      'create-schedule',
      'list-schedules',
      'get-schedule',
      'update-schedule',
      'delete-schedule',
      'trigger-schedule',
      'admin-recover',
    ];
    for (const module of users)
      expect(variablesOf(json, logicalId(stack, handler(module))).SCHEDULES_TABLE, module).toEqual({
        Ref: schedulesId,
      });
    expect(variablesOf(json, logicalId(stack, stack.maintenance.recoverFunction)).SCHEDULES_TABLE).toEqual({
      Ref: schedulesId,
    });
    for (const module of ['submit-job', 'get-job', 'list-jobs'])
      expect(variablesOf(json, logicalId(stack, handler(module))).SCHEDULES_TABLE, module).toBeUndefined();
    expect(scheduleActions(stack.workers.worker)).toEqual([]);
    expect(scheduleActions(stack.maintenance.cleanupFunction)).toEqual([]);
  });

  it('lets the reading routes read and the writing ones write', () => {
    for (const module of ['list-schedules', 'get-schedule']) {
      expect(scheduleActions(handler(module)), module).toContain('dynamodb:Query');
      expect(scheduleActions(handler(module)), module).not.toContain('dynamodb:PutItem');
    }
    for (const fn of [
      handler('create-schedule'),
      handler('update-schedule'),
      stack.maintenance.recoverFunction,
    ])
      expect(scheduleActions(fn)).toEqual(expect.arrayContaining(['dynamodb:PutItem', 'dynamodb:Query']));
    expect(scheduleActions(handler('delete-schedule'))).toContain('dynamodb:DeleteItem');
  });

  it('gives the functions that start scheduled jobs the tier queues and the per-user quotas', () => {
    for (const fn of [handler('trigger-schedule'), stack.maintenance.recoverFunction]) {
      const variables = variablesOf(json, logicalId(stack, fn));
      expect(variables.QUEUE_URL_NORMAL).toBeDefined();
      expect(Object.keys(variables).some((name) => name.startsWith('QUOTA_'))).toBe(true);
    }
  });

  it('routes PATCH /schedules/{id} and the other schedule routes through the authorizer', () => {
    const routes = resourcesOf(json, 'AWS::ApiGatewayV2::Route').map(([, route]) => route.Properties ?? {});
    for (const key of [
      'POST /schedules',
      'GET /schedules',
      'GET /schedules/{id}',
      'PATCH /schedules/{id}',
      'DELETE /schedules/{id}',
      'POST /schedules/{id}/trigger',
    ])
      expect(
        routes.find((route) => route.RouteKey === key),
        key,
      ).toMatchObject({ AuthorizationType: 'CUSTOM' });
  });
});
