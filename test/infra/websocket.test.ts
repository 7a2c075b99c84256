import { Match } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { WEBSOCKET_ACTIONS } from '../../infra/constructs/progress-websocket.ts';
import { logicalId, resourcesOf, synth, variablesOf } from './support/synth.ts';

const { stack, template, json } = synth();
const ws = stack.webSocket;
const apiRef = { Ref: logicalId(stack, ws.api) };
const propsOf = (construct: Parameters<typeof logicalId>[1]) =>
  json.Resources[logicalId(stack, construct)]?.Properties ?? {};
const variablesOfFn = (construct: Parameters<typeof logicalId>[1]) =>
  variablesOf(json, logicalId(stack, construct));
const routeJson = (routeKey: string) =>
  resourcesOf(json, 'AWS::ApiGatewayV2::Route').find(
    ([, route]) =>
      route.Properties?.RouteKey === routeKey &&
      JSON.stringify(route.Properties?.ApiId) === JSON.stringify(apiRef),
  )?.[1]?.Properties;
const integrationFunction = (routeKey: string) => {
  const target = JSON.stringify(routeJson(routeKey)?.Target);
  const [, integration] =
    resourcesOf(json, 'AWS::ApiGatewayV2::Integration').find(([id]) => target.includes(`"${id}"`)) ?? [];
  return JSON.stringify(integration?.Properties?.IntegrationUri);
};

describe('WebSocket API', () => {
  it('routes on the message `action`', () => {
    template.hasResourceProperties('AWS::ApiGatewayV2::Api', {
      ProtocolType: 'WEBSOCKET',
      RouteSelectionExpression: '$request.body.action',
    });
  });

  it('has $connect, $disconnect, $default and one route per client action', () => {
    const keys = resourcesOf(json, 'AWS::ApiGatewayV2::Route')
      .filter(([, route]) => JSON.stringify(route.Properties?.ApiId) === JSON.stringify(apiRef))
      .map(([, route]) => route.Properties?.RouteKey);
    expect(keys.sort()).toEqual(['$connect', '$default', '$disconnect', 'ping', 'subscribe', 'unsubscribe']);
    expect([...WEBSOCKET_ACTIONS].sort()).toEqual(['ping', 'subscribe', 'unsubscribe']);
  });

  it('authorizes $connect with the ws authorizer on the token query string', () => {
    const [authorizerId] =
      resourcesOf(json, 'AWS::ApiGatewayV2::Authorizer').find(
        ([, authorizer]) => JSON.stringify(authorizer.Properties?.ApiId) === JSON.stringify(apiRef),
      ) ?? [];
    expect(json.Resources[authorizerId ?? '']?.Properties).toMatchObject({
      AuthorizerType: 'REQUEST',
      IdentitySource: ['route.request.querystring.token'],
    });
    expect(JSON.stringify(json.Resources[authorizerId ?? '']?.Properties?.AuthorizerUri)).toContain(
      `"${logicalId(stack, ws.authorizerFunction)}"`,
    );
    expect(routeJson('$connect')).toMatchObject({
      AuthorizationType: 'CUSTOM',
      AuthorizerId: { Ref: authorizerId },
    });
    expect(propsOf(ws.authorizerFunction).Description).toBe('functions/handlers/ws/authorizer.ts');
    expect(variablesOfFn(ws.authorizerFunction)).toMatchObject({
      AUTH_MODE: 'hs256',
      JWT_SECRET_ARN: expect.anything(),
    });
    expect(variablesOfFn(ws.authorizerFunction).JWT_SECRET).toBeUndefined();
  });

  it.each([
    ['$connect', 'ConnectHandler', 'functions/handlers/ws/connect.ts'],
    ['$disconnect', 'DisconnectHandler', 'functions/handlers/ws/disconnect.ts'],
    ['$default', 'MessageHandler', 'functions/handlers/ws/message.ts'],
    ['subscribe', 'MessageHandler', 'functions/handlers/ws/message.ts'],
    ['unsubscribe', 'MessageHandler', 'functions/handlers/ws/message.ts'],
    ['ping', 'MessageHandler', 'functions/handlers/ws/message.ts'],
  ] as const)('%s invokes %s (%s)', (routeKey, handler, entry) => {
    const fn = ws[`${handler.charAt(0).toLowerCase()}${handler.slice(1)}` as 'connectHandler'];
    expect(integrationFunction(routeKey)).toContain(`"${logicalId(stack, fn)}"`);
    expect(propsOf(fn).Description).toBe(entry);
  });

  it('deploys a stage named after the deployment, automatically, with access logs', () => {
    template.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
      ApiId: apiRef,
      StageName: 'dev',
      AutoDeploy: true,
      AccessLogSettings: Match.objectLike({ DestinationArn: Match.anyValue() }),
    });
  });

  it('sets up the account role API Gateway needs to write WebSocket logs', () => {
    template.hasResourceProperties('AWS::ApiGateway::Account', { CloudWatchRoleArn: Match.anyValue() });
    const quiet = synth({ settings: { webSocketAccessLogs: false } });
    quiet.template.resourceCountIs('AWS::ApiGateway::Account', 0);
    quiet.template.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
      StageName: 'dev',
      AccessLogSettings: Match.absent(),
    });
  });

  it.each(['connectHandler', 'disconnectHandler', 'messageHandler', 'notifier'] as const)(
    '%s knows the connections table',
    (name) => {
      expect(variablesOfFn(ws[name]).CONNECTIONS_TABLE).toEqual({
        Ref: logicalId(stack, stack.store.get('Connections')),
      });
    },
  );

  it.each(['messageHandler', 'notifier'] as const)('%s posts to the stage callback URL', (name) => {
    expect(variablesOfFn(ws[name]).WS_MANAGEMENT_ENDPOINT).toEqual({
      'Fn::Join': [
        '',
        ['https://', apiRef, '.execute-api.', { Ref: 'AWS::Region' }, '.', { Ref: 'AWS::URLSuffix' }, '/dev'],
      ],
    });
  });

  it('lets the message handler read jobs for snapshots', () => {
    expect(variablesOfFn(ws.messageHandler).JOBS_TABLE).toEqual({
      Ref: logicalId(stack, stack.store.get('Jobs')),
    });
  });
});

describe('notifier', () => {
  it('runs functions/handlers/notifier.ts on the jobs table stream', () => {
    expect(propsOf(ws.notifier).Description).toBe('functions/handlers/notifier.ts');
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      FunctionName: { Ref: logicalId(stack, ws.notifier) },
      EventSourceArn: { 'Fn::GetAtt': [logicalId(stack, stack.store.get('Jobs')), 'StreamArn'] },
      StartingPosition: 'LATEST',
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      BisectBatchOnFunctionError: true,
      MaximumRetryAttempts: 3,
      FilterCriteria: {
        Filters: [
          {
            Pattern: JSON.stringify({
              eventName: ['INSERT', 'MODIFY'],
              dynamodb: { Keys: { sk: { S: ['JOB'] } } },
            }),
          },
        ],
      },
    });
  });

  it('may manage the connections of its own stage only', () => {
    template.hasResourceProperties('AWS::IAM::Policy', {
      Roles: [{ Ref: logicalId(stack, { node: { defaultChild: ws.notifier.role?.node.defaultChild } }) }],
      PolicyDocument: {
        Statement: Match.arrayWith([
          {
            Action: 'execute-api:ManageConnections',
            Effect: 'Allow',
            Resource: {
              'Fn::Join': [
                '',
                [
                  'arn:',
                  { Ref: 'AWS::Partition' },
                  ':execute-api:',
                  { Ref: 'AWS::Region' },
                  ':',
                  { Ref: 'AWS::AccountId' },
                  ':',
                  apiRef,
                  '/dev/*/@connections/*',
                ],
              ],
            },
          },
        ]),
      },
    });
  });
});
