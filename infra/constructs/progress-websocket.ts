/**
 * The WebSocket API for job progress: `$connect` guarded by a Lambda authorizer on the `token` query string
 * (a missing token is refused with 401 before any function runs), `$disconnect`, the client actions
 * `subscribe` / `unsubscribe` / `ping` (and `$default`) served by one message handler, a stage, and the
 * notifier that turns the jobs table's stream into `job.updated` frames for the subscribed connections.
 */
import { Validations } from 'aws-cdk-lib';
import { AccessLogFormat } from 'aws-cdk-lib/aws-apigateway';
import {
  type CfnStage,
  LogGroupLogDestination,
  WebSocketApi,
  WebSocketStage,
} from 'aws-cdk-lib/aws-apigatewayv2';
import { WebSocketLambdaAuthorizer } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import { WebSocketLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import type { CfnFunction } from 'aws-cdk-lib/aws-lambda';
import { LogGroup } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { WS_ACTIONS } from '../../functions/usecases/realtime/client-messages.ts';
import { envNames } from '../env-names.ts';
import { streamEventSources } from '../function-settings.ts';
import { reservedConcurrency, type Throttle, type ThrottleName } from '../limits.ts';
import {
  acknowledgeListStreams,
  bindJobs,
  bindTable,
  bindWebSocketManagement,
  type JobsBinding,
} from './bindings.ts';
import { dynamoEventSource } from './event-sources.ts';
import { type FunctionDefaults, JobFunction } from './job-function.ts';
import type { StoreTable } from './job-store.ts';
import type { JwtAuth } from './jwt-auth.ts';

/** The client actions of the contract: the ones the message handler and the local gateway route. */
export const WEBSOCKET_ACTIONS = WS_ACTIONS;

/** WebSocket variables only; one JSON object per connect, message and disconnect. */
const ACCESS_LOG_FORMAT = AccessLogFormat.custom(
  JSON.stringify({
    requestId: '$context.requestId',
    requestTime: '$context.requestTime',
    ip: '$context.identity.sourceIp',
    eventType: '$context.eventType',
    routeKey: '$context.routeKey',
    connectionId: '$context.connectionId',
    status: '$context.status',
    error: '$context.error.message',
    authorizerError: '$context.authorizer.error',
    integrationError: '$context.integration.error',
  }),
);

export interface ProgressWebSocketProps {
  defaults: FunctionDefaults;
  stageName: string;
  jobs: JobsBinding;
  connectionsTable: StoreTable;
  auth: JwtAuth;
  /** Access logs need the account's API Gateway CloudWatch role (see JobQueueStack). */
  accessLogs: boolean;
  /** `webSocket` for the stage's message routes, `connect` for handshakes (infra/limits.ts). */
  throttling: Record<ThrottleName, Throttle>;
  /** Reserve concurrency for the notifier, so a flood of API calls cannot starve progress updates. */
  reserveConcurrency: boolean;
}

export class ProgressWebSocket extends Construct {
  public readonly api: WebSocketApi;
  public readonly stage: WebSocketStage;
  public readonly accessLogs?: LogGroup;
  public readonly authorizerFunction: JobFunction;
  public readonly connectHandler: JobFunction;
  public readonly disconnectHandler: JobFunction;
  public readonly messageHandler: JobFunction;
  public readonly notifier: JobFunction;

  constructor(scope: Construct, id: string, props: ProgressWebSocketProps) {
    super(scope, id);
    const { defaults } = props;
    const fn = (fnId: string, module: string) => new JobFunction(this, fnId, { module, defaults });

    this.authorizerFunction = fn('Authorizer', 'ws/authorizer');
    props.auth.bind(this.authorizerFunction);
    this.connectHandler = fn('ConnectHandler', 'ws/connect');
    this.disconnectHandler = fn('DisconnectHandler', 'ws/disconnect');
    this.messageHandler = fn('MessageHandler', 'ws/message');
    this.notifier = fn('Notifier', 'notifier');
    if (props.reserveConcurrency)
      (this.notifier.node.defaultChild as CfnFunction).reservedConcurrentExecutions =
        reservedConcurrency.notifier;

    // One integration for every message route; API Gateway passes the route key in the event.
    const messageIntegration = new WebSocketLambdaIntegration('MessageIntegration', this.messageHandler);
    this.api = new WebSocketApi(this, 'Api', {
      description: `Job progress WebSocket API (${defaults.servicePrefix})`,
      connectRouteOptions: {
        integration: new WebSocketLambdaIntegration('ConnectIntegration', this.connectHandler),
        authorizer: new WebSocketLambdaAuthorizer('TokenAuthorizer', this.authorizerFunction, {
          identitySource: ['route.request.querystring.token'],
        }),
      },
      disconnectRouteOptions: {
        integration: new WebSocketLambdaIntegration('DisconnectIntegration', this.disconnectHandler),
      },
      defaultRouteOptions: {
        integration: messageIntegration,
      },
    });
    // One-way routes: the handler answers (snapshot, pong, error frames) through the management API, in
    // order with the notifier's updates, so nothing it returns is sent back by API Gateway.
    for (const action of WEBSOCKET_ACTIONS) this.api.addRoute(action, { integration: messageIntegration });
    // WebSocket APIs authorize once, at $connect; every later route runs on that authorized connection.
    for (const routeKey of ['$disconnect', '$default', ...WEBSOCKET_ACTIONS]) {
      const route = this.api.node.tryFindChild(`${routeKey}-Route`);
      if (route)
        Validations.of(route).acknowledge({
          id: 'AwsSolutions-APIG4',
          reason: `${routeKey} runs on a connection the $connect authorizer already admitted (API Gateway WebSocket APIs only support authorizers on $connect); the handler reads the caller from the connection record.`,
        });
    }

    if (props.accessLogs) {
      this.accessLogs = new LogGroup(this, 'AccessLogs', {
        retention: defaults.logRetention,
        removalPolicy: defaults.removalPolicy,
      });
    }
    this.stage = new WebSocketStage(this, 'Stage', {
      webSocketApi: this.api,
      stageName: props.stageName,
      autoDeploy: true,
      throttle: { rateLimit: props.throttling.webSocket.rate, burstLimit: props.throttling.webSocket.burst },
      ...(this.accessLogs && {
        accessLogSettings: {
          destination: new LogGroupLogDestination(this.accessLogs),
          format: ACCESS_LOG_FORMAT,
        },
      }),
    });
    // Handshakes cost an authorizer and a connect invocation each: a tighter limit than messages.
    const connectRoute = this.api.node.tryFindChild('$connect-Route');
    if (connectRoute) this.stage.node.addDependency(connectRoute);
    (this.stage.node.defaultChild as CfnStage).routeSettings = {
      $connect: {
        ThrottlingRateLimit: props.throttling.connect.rate,
        ThrottlingBurstLimit: props.throttling.connect.burst,
      },
    };
    if (!this.accessLogs)
      Validations.of(this.stage).acknowledge({
        id: 'AwsSolutions-APIG1',
        reason:
          'WebSocket access logs were turned off for this deployment (webSocketAccessLogs=false), for accounts whose API Gateway CloudWatch role is not set; the handlers still log every connect, message and delivery.',
      });

    bindTable(this.connectHandler, props.connectionsTable, 'readWrite');
    bindTable(this.disconnectHandler, props.connectionsTable, 'readWrite');
    bindTable(this.messageHandler, props.connectionsTable, 'readWrite');
    bindJobs(this.messageHandler, props.jobs, 'read');
    bindWebSocketManagement(this.messageHandler, this.stage, envNames.wsManagementEndpoint);

    // Reads subscriptions and removes connections that are gone (410 from the management API).
    bindTable(this.notifier, props.connectionsTable, 'readWrite');
    bindWebSocketManagement(this.notifier, this.stage, envNames.wsManagementEndpoint);
    acknowledgeListStreams(this.notifier);
    this.notifier.addEventSource(dynamoEventSource(props.jobs.table, streamEventSources.notifier));
  }

  /** wss://{apiId}.execute-api.{region}.amazonaws.com/{stage} */
  get url(): string {
    return this.stage.url;
  }
}
