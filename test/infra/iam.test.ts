/**
 * Least privilege, checked on the synthesized policies: data-plane actions only on named resources of this
 * stack, each function only the access its bindings give it.
 */
import { describe, expect, it } from 'vitest';
import { TIERS } from '../../functions/core/tiers.ts';
import type { JobFunction } from '../../infra/constructs/job-function.ts';
import {
  deploymentRoleId,
  logicalId,
  ownFunctions,
  resourcesOf,
  synth,
  variablesOf,
} from './support/synth.ts';

interface Statement {
  Effect: string;
  Action: string | string[];
  Resource: unknown;
}

const { stack, json } = synth();
// CDK's BucketDeployment handler is left out (see ownFunctions); dashboard-hosting.test.ts checks its role.
const deploymentRole = JSON.stringify([{ Ref: deploymentRoleId(stack) }]);
const policies = resourcesOf(json, 'AWS::IAM::Policy').filter(
  ([, policy]) => JSON.stringify(policy.Properties?.Roles) !== deploymentRole,
);
const functions = ownFunctions({ stack, json });
const list = <T>(value: T | T[]): T[] => (Array.isArray(value) ? value : [value]);
const statementsOf = (policy: (typeof policies)[number][1]) =>
  (policy.Properties?.PolicyDocument as { Statement?: Statement[] } | undefined)?.Statement ?? [];
const allStatements = policies.flatMap(([, policy]) => statementsOf(policy));

/** Every Allow statement of a function's role, flattened to [action, resource] pairs. */
function grantsOf(fn: JobFunction): [string, string][] {
  const roleId = logicalId(stack, { node: { defaultChild: fn.role?.node.defaultChild } });
  return policies
    .filter(([, policy]) => JSON.stringify(policy.Properties?.Roles) === JSON.stringify([{ Ref: roleId }]))
    .flatMap(([, policy]) => statementsOf(policy))
    .filter((statement) => statement.Effect === 'Allow')
    .flatMap((statement) =>
      list(statement.Action).flatMap((action) =>
        list(statement.Resource).map((resource) => [action, JSON.stringify(resource)] as [string, string]),
      ),
    );
}
const actionsOf = (fn: JobFunction) => new Set(grantsOf(fn).map(([action]) => action));
const ref = (construct: Parameters<typeof logicalId>[1]) => `"${logicalId(stack, construct)}"`;

const DATA_PLANE = /^(dynamodb|sqs|execute-api):/;
const WRITES = ['dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem', 'dynamodb:BatchWriteItem'];

describe('IAM', () => {
  it('never grants a data-plane action on *', () => {
    const wildcard = allStatements.filter(
      (statement) =>
        statement.Effect === 'Allow' &&
        list(statement.Resource).includes('*') &&
        list(statement.Action).some((action) => DATA_PLANE.test(action) && action !== 'dynamodb:ListStreams'),
    );
    expect(wildcard).toEqual([]);
  });

  it('grants * only for dynamodb:ListStreams (it has no resource type), to the stream consumers', () => {
    const onStar = allStatements.filter((statement) => list(statement.Resource).includes('*'));
    expect(onStar.flatMap((statement) => list(statement.Action))).toEqual(
      onStar.map(() => 'dynamodb:ListStreams'),
    );
    expect(onStar).toHaveLength(2);
  });

  it('never uses action wildcards', () => {
    const actions = allStatements.flatMap((statement) => list(statement.Action));
    expect(actions.filter((action) => action.includes('*'))).toEqual([]);
  });

  it('names a table of this stack in every DynamoDB grant', () => {
    const tableIds = Object.values(stack.store.tables).map((table) => logicalId(stack, table));
    for (const statement of allStatements) {
      if (
        !list(statement.Action).some(
          (action) => action.startsWith('dynamodb:') && action !== 'dynamodb:ListStreams',
        )
      )
        continue;
      for (const resource of list(statement.Resource))
        expect(
          tableIds.some((id) => JSON.stringify(resource).includes(`"${id}"`)),
          JSON.stringify(resource),
        ).toBe(true);
    }
  });

  it('names a queue of this stack in every SQS grant', () => {
    const queueIds = TIERS.flatMap((tier) => [
      logicalId(stack, stack.queues.queues[tier]),
      logicalId(stack, stack.queues.deadLetterQueues[tier]),
    ]);
    queueIds.push(logicalId(stack, stack.workers.streamFailures));
    queueIds.push(logicalId(stack, stack.webhooks.queue), logicalId(stack, stack.webhooks.deadLetterQueue));
    for (const statement of allStatements) {
      if (!list(statement.Action).some((action) => action.startsWith('sqs:'))) continue;
      for (const resource of list(statement.Resource))
        expect(
          queueIds.some((id) => JSON.stringify(resource).includes(`"${id}"`)),
          JSON.stringify(resource),
        ).toBe(true);
    }
  });

  it('attaches no managed policy to a function role', () => {
    const functionRoles = new Set(functions.map(([, fn]) => JSON.stringify(fn.Properties?.Role)));
    for (const [id, role] of resourcesOf(json, 'AWS::IAM::Role'))
      if (functionRoles.has(JSON.stringify({ 'Fn::GetAtt': [id, 'Arn'] })))
        expect(role.Properties?.ManagedPolicyArns, id).toBeUndefined();
  });

  it('lets each function write only to its own log group', () => {
    for (const [, fn] of functions) {
      const { LoggingConfig, Role } = fn.Properties ?? {};
      const logGroup = (LoggingConfig as { LogGroup: { Ref: string } }).LogGroup.Ref;
      const roleId = (Role as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'][0];
      const logStatements = policies
        .filter(
          ([, policy]) => JSON.stringify(policy.Properties?.Roles) === JSON.stringify([{ Ref: roleId }]),
        )
        .flatMap(([, policy]) => statementsOf(policy))
        .filter((statement) => list(statement.Action).some((action) => action.startsWith('logs:')));
      expect(logStatements).toEqual([
        {
          Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
          Effect: 'Allow',
          Resource: { 'Fn::GetAtt': [logGroup, 'Arn'] },
        },
      ]);
    }
  });
});

describe('per-function access', () => {
  const api = stack.httpApi.handlers;
  const handler = (module: string) => {
    const fn = api.get(module);
    if (!fn) throw new Error(`no ${module} handler`);
    return fn;
  };
  const jobsTable = stack.store.get('Jobs');

  it('gives the worker its queues (with visibility changes, and sends for continuations), not the dead-letter queues', () => {
    const grants = grantsOf(stack.workers.worker);
    for (const tier of TIERS) {
      const queue = ref(stack.queues.queues[tier]);
      for (const action of [
        'sqs:ReceiveMessage',
        'sqs:DeleteMessage',
        'sqs:ChangeMessageVisibility',
        'sqs:SendMessage',
      ])
        expect(
          grants.some(([a, r]) => a === action && r.includes(queue)),
          `${action} ${tier}`,
        ).toBe(true);
      expect(grants.some(([, r]) => r.includes(ref(stack.queues.deadLetterQueues[tier])))).toBe(false);
    }
    for (const action of WRITES) expect(actionsOf(stack.workers.worker).has(action)).toBe(true);
  });

  it.each(['get-job', 'list-jobs', 'count-jobs', 'admin-dead'])(
    'lets %s read jobs, nothing else (and the cursor key when it pages)',
    (module) => {
      const grants = grantsOf(handler(module)).filter(
        ([action, resource]) => !action.startsWith('logs:') && !resource.includes(ref(stack.cursorSecret)),
      );
      expect(grants.length).toBeGreaterThan(0);
      for (const [action, resource] of grants) {
        expect([
          'dynamodb:GetItem',
          'dynamodb:BatchGetItem',
          'dynamodb:Query',
          'dynamodb:DescribeTable',
        ]).toContain(action);
        expect(resource).toContain(ref(jobsTable));
      }
    },
  );

  it.each(['submit-job', 'submit-agent-job', 'retry-job', 'admin-redrive', 'admin-recover'])(
    'lets %s write jobs and send to every tier queue',
    (module) => {
      const grants = grantsOf(handler(module));
      for (const action of WRITES) expect(actionsOf(handler(module)).has(action)).toBe(true);
      for (const tier of TIERS)
        expect(
          grants.some(([a, r]) => a === 'sqs:SendMessage' && r.includes(ref(stack.queues.queues[tier]))),
        ).toBe(true);
      expect(actionsOf(handler(module)).has('sqs:ReceiveMessage')).toBe(false);
    },
  );

  it('lets cancel-job write jobs but not touch the queues', () => {
    expect(actionsOf(handler('cancel-job')).has('dynamodb:UpdateItem')).toBe(true);
    expect([...actionsOf(handler('cancel-job'))].filter((action) => action.startsWith('sqs:'))).toEqual([]);
  });

  it.each([['the maintenance run', stack.maintenance.recoverFunction]])(
    'lets %s receive and delete dead-letter messages, and do nothing else with them',
    (_name, fn) => {
      const grants = grantsOf(fn);
      const variables = variablesOf(json, logicalId(stack, fn));
      for (const tier of TIERS) {
        const dlq = ref(stack.queues.deadLetterQueues[tier]);
        expect(
          grants
            .filter(([, resource]) => resource.includes(dlq))
            .map(([action]) => action)
            .sort(),
        ).toEqual(['sqs:DeleteMessage', 'sqs:ReceiveMessage']);
        expect(variables[`DLQ_URL_${tier.toUpperCase()}`]).toEqual({
          Ref: logicalId(stack, stack.queues.deadLetterQueues[tier]),
        });
      }
    },
  );

  it('leaves the dead-letter messages to the maintenance run: no other role may receive them', () => {
    const dlqs = TIERS.map((tier) => ref(stack.queues.deadLetterQueues[tier]));
    const readers = policies
      .filter(([, policy]) =>
        statementsOf(policy).some(
          (statement) =>
            list(statement.Action).includes('sqs:ReceiveMessage') &&
            list(statement.Resource).some((resource) =>
              dlqs.some((dlq) => JSON.stringify(resource).includes(dlq)),
            ),
        ),
      )
      .map(([, policy]) => JSON.stringify(policy.Properties?.Roles))
      .sort();
    const roleOf = (fn: JobFunction) =>
      JSON.stringify([{ Ref: logicalId(stack, { node: { defaultChild: fn.role?.node.defaultChild } }) }]);
    expect(readers).toEqual([roleOf(stack.maintenance.recoverFunction)]);
  });

  it('lets queue-stats read queue and DLQ attributes, and no messages', () => {
    const grants = grantsOf(handler('queue-stats'));
    for (const tier of TIERS)
      for (const queue of [stack.queues.queues[tier], stack.queues.deadLetterQueues[tier]])
        expect(grants.some(([a, r]) => a === 'sqs:GetQueueAttributes' && r.includes(ref(queue)))).toBe(true);
    expect([...actionsOf(handler('queue-stats'))].filter((a) => a.startsWith('sqs:'))).toEqual([
      'sqs:GetQueueAttributes',
    ]);
    for (const action of WRITES) expect(actionsOf(handler('queue-stats')).has(action)).toBe(false);
  });

  it.each([
    ['the HTTP authorizer', stack.httpApi.authorizerFunction],
    ['the WebSocket authorizer', stack.webSocket.authorizerFunction],
  ])('lets %s read the signing secret, and nothing else beyond its logs', (_name, fn) => {
    const secret = ref(stack.auth.secret as unknown as Parameters<typeof logicalId>[1]);
    const grants = grantsOf(fn).filter(([action]) => !action.startsWith('logs:'));
    expect(grants.map(([action]) => action).sort()).toEqual([
      'secretsmanager:DescribeSecret',
      'secretsmanager:GetSecretValue',
    ]);
    for (const [, resource] of grants) expect(resource).toContain(secret);
  });

  it('lets only the two authorizers read the signing secret, and only the paging handlers the cursor key', () => {
    const secret = ref(stack.auth.secret as unknown as Parameters<typeof logicalId>[1]);
    const cursor = ref(stack.cursorSecret);
    const readers = (needle: string) =>
      policies
        .filter(([, policy]) => JSON.stringify(statementsOf(policy)).includes(needle))
        .map(([, policy]) => JSON.stringify(policy.Properties?.Roles));
    const roleOf = (fn: JobFunction) =>
      JSON.stringify([{ Ref: logicalId(stack, { node: { defaultChild: fn.role?.node.defaultChild } }) }]);
    expect(readers(secret).sort()).toEqual(
      [stack.httpApi.authorizerFunction, stack.webSocket.authorizerFunction].map(roleOf).sort(),
    );
    expect(readers(cursor).sort()).toEqual(
      ['list-jobs', 'admin-dead', 'list-schedules'].map((module) => roleOf(handler(module))).sort(),
    );
  });

  it.each([
    ['health', handler('health')],
    ['openapi', handler('openapi')],
    ['list-agents', handler('list-agents')],
  ])('gives %s nothing beyond its logs', (_name, fn) => {
    expect([...actionsOf(fn)].sort()).toEqual(['logs:CreateLogStream', 'logs:PutLogEvents']);
  });

  it('keeps the connections table to the WebSocket functions', () => {
    const connections = ref(stack.store.get('Connections'));
    const users = [
      stack.webSocket.connectHandler,
      stack.webSocket.disconnectHandler,
      stack.webSocket.messageHandler,
      stack.webSocket.notifier,
    ];
    const all = [
      ...api.values(),
      stack.workers.worker,
      stack.workers.dependencyResolver,
      stack.maintenance.recoverFunction,
      stack.maintenance.cleanupFunction,
      ...users,
    ];
    for (const fn of all)
      expect(
        grantsOf(fn).some(([, resource]) => resource.includes(connections)),
        fn.node.path,
      ).toBe(users.includes(fn));
  });

  it('lets only the message handler and the notifier post to WebSocket connections', () => {
    const posters = resourcesOf(json, 'AWS::IAM::Policy').filter(([, policy]) =>
      JSON.stringify(policy.Properties?.PolicyDocument).includes('execute-api:ManageConnections'),
    );
    expect(posters).toHaveLength(2);
    expect(actionsOf(stack.webSocket.messageHandler).has('execute-api:ManageConnections')).toBe(true);
    expect(actionsOf(stack.webSocket.notifier).has('execute-api:ManageConnections')).toBe(true);
  });

  it('reads the jobs stream only from its two consumers', () => {
    const readers = [stack.webSocket.notifier, stack.workers.dependencyResolver];
    for (const fn of readers)
      expect(grantsOf(fn).some(([a, r]) => a === 'dynamodb:GetRecords' && r.includes('StreamArn'))).toBe(
        true,
      );
    const streamGrants = allStatements.filter((statement) =>
      list(statement.Action).includes('dynamodb:GetRecords'),
    );
    expect(streamGrants).toHaveLength(readers.length);
  });
});
