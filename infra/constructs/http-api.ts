/**
 * The HTTP API: one route per entry of functions/api/routes.ts (new routes are picked up automatically),
 * one Lambda per handler module, and the Lambda authorizer on every non-public route. The authorizer
 * always allows and passes its verdict in the context (see functions/api/middleware/authenticate.ts), which
 * depends on the token alone, so:
 * - identity source `$request.header.Authorization`: a request without that header is refused by API
 *   Gateway itself (401 `{"message":"Unauthorized"}`, which API.md allows) without invoking anything;
 * - the verdict is cached per Authorization header for `authorizerCacheSeconds` (300 s by default), so a
 *   flood with one token, valid or not, costs one authorizer invocation per cache period. A token stays
 *   usable up to that long after it expires.
 * Throttling: the stage's default route settings, plus tighter limits on submissions and admin actions
 * (infra/limits.ts); API Gateway answers 429 `{"message":"Too Many Requests"}` above them.
 */
import { Annotations, Duration, Lazy, Validations } from 'aws-cdk-lib';
import { AccessLogFormat } from 'aws-cdk-lib/aws-apigateway';
import {
  type CfnApi,
  type CfnStage,
  CorsHttpMethod,
  HttpApi,
  HttpMethod,
  HttpRoute,
  HttpRouteKey,
  HttpStage,
  LogGroupLogDestination,
} from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpLambdaAuthorizer, HttpLambdaResponseType } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import { LogGroup } from 'aws-cdk-lib/aws-logs';
import type { ISecret } from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import type { RouteDefinition } from '../../functions/api/routes.ts';
import type { Tier } from '../../functions/core/tiers.ts';
import { type HandlerNeeds, needsOf } from '../api-access.ts';
import { envNames } from '../env-names.ts';
import type { Throttle, ThrottleName } from '../limits.ts';
import { bindJobs, bindQueueStats, bindQueues, bindSecret, bindTable, type JobsBinding } from './bindings.ts';
import { type FunctionDefaults, JobFunction } from './job-function.ts';
import type { StoreTable } from './job-store.ts';
import type { JwtAuth } from './jwt-auth.ts';
import type { TierQueues } from './tier-queues.ts';

const pascal = (text: string) =>
  text
    .split(/[^a-zA-Z0-9]+/)
    .filter(Boolean)
    .map((part) => part.charAt(0).toUpperCase() + part.slice(1))
    .join('');

/** One JSON object per request; only variables HTTP APIs support. */
const ACCESS_LOG_FORMAT = AccessLogFormat.custom(
  JSON.stringify({
    requestId: '$context.requestId',
    requestTime: '$context.requestTime',
    ip: '$context.identity.sourceIp',
    userAgent: '$context.identity.userAgent',
    method: '$context.httpMethod',
    path: '$context.path',
    routeKey: '$context.routeKey',
    status: '$context.status',
    protocol: '$context.protocol',
    responseLength: '$context.responseLength',
    responseLatency: '$context.responseLatency',
    integrationLatency: '$context.integrationLatency',
    integrationError: '$context.integrationErrorMessage',
    authorizerError: '$context.authorizer.error',
  }),
);

export interface JobsHttpApiProps {
  defaults: FunctionDefaults;
  routes: readonly RouteDefinition[];
  jobs: JobsBinding;
  queues: TierQueues;
  auth: JwtAuth;
  /** Deployed worker concurrency per tier, reported by the queue stats. */
  tierConcurrency: Record<Tier, number>;
  /** Empty: no CORS configuration (same-origin and server-side callers only). */
  corsOrigins: string[];
  /** Stage and route throttling (infra/limits.ts). */
  throttling: Record<ThrottleName, Throttle>;
  /** Seconds an authorizer verdict is cached per Authorization header (0: off). */
  authorizerCacheSeconds: number;
  /** Signs pagination cursors; handlers that page (HandlerNeeds.cursorSecret) may read it. */
  cursorSecret: ISecret;
  /** The schedules table, for the handlers that declare `schedules` (infra/api-access.ts). */
  schedules?: StoreTable;
}

/** The routes with their own, tighter throttling; every other route gets the stage's `http` limits. */
export function routeThrottle(route: RouteDefinition): ThrottleName | undefined {
  if (route.handler === 'submit-job' || route.handler === 'submit-agent-job') return 'submit';
  if (route.access === 'admin' && route.method !== 'GET') return 'admin';
  return undefined;
}

export class JobsHttpApi extends Construct {
  public readonly api: HttpApi;
  public readonly stage: HttpStage;
  public readonly accessLogs: LogGroup;
  public readonly authorizerFunction: JobFunction;
  public readonly authorizer: HttpLambdaAuthorizer;
  /** One function per handler module, by module name (`get-job`, ...). */
  public readonly handlers: ReadonlyMap<string, JobFunction>;
  /** Origins allowed by CORS (see allowOrigin); none: no CORS configuration at all. */
  private readonly corsOrigins: string[];

  constructor(scope: Construct, id: string, props: JobsHttpApiProps) {
    super(scope, id);
    const { defaults } = props;

    this.api = new HttpApi(this, 'Api', {
      description: `Job queue HTTP API (${defaults.servicePrefix})`,
      createDefaultStage: false,
    });
    this.corsOrigins = [...props.corsOrigins];
    // Rendered at synth, so origins known only later (the dashboard's, see allowOrigin) are included.
    (this.api.node.defaultChild as CfnApi).corsConfiguration = Lazy.any({
      produce: () => corsConfiguration(this.corsOrigins),
    });
    this.accessLogs = new LogGroup(this, 'AccessLogs', {
      retention: defaults.logRetention,
      removalPolicy: defaults.removalPolicy,
    });
    this.stage = new HttpStage(this, 'DefaultStage', {
      httpApi: this.api,
      stageName: '$default',
      autoDeploy: true,
      throttle: {
        rateLimit: props.throttling.http.rate,
        burstLimit: props.throttling.http.burst,
      },
      accessLogSettings: {
        destination: new LogGroupLogDestination(this.accessLogs),
        format: ACCESS_LOG_FORMAT,
      },
    });

    this.authorizerFunction = new JobFunction(this, 'Authorizer', {
      module: 'authorizer',
      defaults,
    });
    props.auth.bind(this.authorizerFunction);
    this.authorizer = new HttpLambdaAuthorizer('TokenAuthorizer', this.authorizerFunction, {
      responseTypes: [HttpLambdaResponseType.SIMPLE],
      identitySource: ['$request.header.Authorization'],
      resultsCacheTtl: Duration.seconds(props.authorizerCacheSeconds),
    });

    const handlers = new Map<string, JobFunction>();
    const integrations = new Map<string, HttpLambdaIntegration>();
    for (const [module, moduleRoutes] of groupByHandler(props.routes)) {
      const undeclared: string[] = [];
      const needs = mergeNeeds(moduleRoutes, (route) => {
        const { needs, declared } = needsOf(route);
        if (!declared)
          undeclared.push(
            `No entry for handler "${route.handler}" in infra/api-access.ts: it gets what ${route.method} ${route.path} suggests (${JSON.stringify(needs)}). Declare it there.`,
          );
        return needs;
      });
      const fn = new JobFunction(this, `${pascal(module)}Handler`, {
        module: `api/${module}`,
        defaults,
        description: moduleRoutes.map((route) => `${route.method} ${route.path}`).join(', '),
        ...(needs.files && { files: needs.files }),
        ...(needs.gzippedFiles && { gzippedFiles: needs.gzippedFiles }),
      });
      for (const warning of undeclared) Annotations.of(fn).addWarning(warning);
      if (needs.jobs) bindJobs(fn, props.jobs, needs.jobs);
      if (needs.sendToQueues) bindQueues(fn, props.queues, 'send');
      if (needs.queueStats) bindQueueStats(fn, props.queues, props.tierConcurrency);
      if (needs.cursorSecret) bindSecret(fn, props.cursorSecret, envNames.cursorSecretArn);
      if (needs.schedules) {
        if (!props.schedules) throw new Error(`api/${module} needs the schedules table; none was given`);
        bindTable(fn, props.schedules, needs.schedules);
      }
      handlers.set(module, fn);
      integrations.set(module, new HttpLambdaIntegration(`${pascal(module)}Integration`, fn));
    }
    this.handlers = handlers;
    this.addRoutes(props.routes, integrations, props.throttling);
    this.addNotFoundRoute(defaults);
  }

  /**
   * Lets browsers on `origin` call the API (CORS). The deployed dashboard's origin is added this way: it is
   * a CloudFront domain, known only once the distribution exists. Nothing to add under an allow-all `*`.
   */
  allowOrigin(origin: string): void {
    if (!this.corsOrigins.includes('*') && !this.corsOrigins.includes(origin)) this.corsOrigins.push(origin);
  }

  /** The invoke URL, ending with a slash. */
  get url(): string {
    return this.stage.url;
  }

  private addRoutes(
    routes: readonly RouteDefinition[],
    integrations: Map<string, HttpLambdaIntegration>,
    throttling: Record<ThrottleName, Throttle>,
  ): void {
    const routeSettings: Record<string, { ThrottlingRateLimit: number; ThrottlingBurstLimit: number }> = {};
    for (const route of routes) {
      const integration = integrations.get(route.handler);
      if (!integration) throw new Error(`no integration for handler ${route.handler}`);
      const [httpRoute] = this.api.addRoutes({
        path: route.path,
        methods: [HttpMethod[route.method]],
        integration,
        ...(route.access !== 'public' && { authorizer: this.authorizer }),
      });
      const throttle = routeThrottle(route);
      if (throttle && httpRoute) {
        routeSettings[`${route.method} ${route.path}`] = {
          ThrottlingRateLimit: throttling[throttle].rate,
          ThrottlingBurstLimit: throttling[throttle].burst,
        };
        // Route settings name routes by key: the stage must be created after them.
        this.stage.node.addDependency(httpRoute);
      }
      if (route.access === 'public' && httpRoute)
        Validations.of(httpRoute).acknowledge({
          id: 'AwsSolutions-APIG4',
          reason: `${route.method} ${route.path} is public by the API contract (${route.summary.toLowerCase()}, no auth); it reads no user data.`,
        });
    }
    (this.stage.node.defaultChild as CfnStage).routeSettings = routeSettings;
  }

  /** `$default`: unmatched requests get the contract's 404 body instead of API Gateway's own. */
  private addNotFoundRoute(defaults: FunctionDefaults): void {
    const fn = new JobFunction(this, 'NotFoundHandler', {
      module: 'api/not-found',
      defaults,
      description:
        'functions/handlers/api/not-found.ts, the $default route: 404 not_found for unknown routes',
    });
    const route = new HttpRoute(this, 'DefaultRoute', {
      httpApi: this.api,
      routeKey: HttpRouteKey.DEFAULT,
      integration: new HttpLambdaIntegration('NotFoundIntegration', fn),
    });
    Validations.of(route).acknowledge({
      id: 'AwsSolutions-APIG4',
      reason:
        '$default only answers 404 not_found for unknown routes; it reads nothing and needs no identity.',
    });
  }
}

/** CORS for browser callers on `origins`: bearer tokens, no cookies (so no credentials). */
function corsConfiguration(origins: string[]): CfnApi.CorsProperty | undefined {
  if (origins.length === 0) return undefined;
  return {
    allowOrigins: origins,
    allowMethods: [
      CorsHttpMethod.GET,
      CorsHttpMethod.POST,
      CorsHttpMethod.PATCH,
      CorsHttpMethod.DELETE,
      CorsHttpMethod.OPTIONS,
    ],
    allowHeaders: ['authorization', 'content-type'],
    exposeHeaders: ['location'],
    maxAge: Duration.hours(1).toSeconds(),
  };
}

function groupByHandler(routes: readonly RouteDefinition[]): Map<string, RouteDefinition[]> {
  const groups = new Map<string, RouteDefinition[]>();
  for (const route of routes) groups.set(route.handler, [...(groups.get(route.handler) ?? []), route]);
  return groups;
}

/** The union of what a module's routes need (a module may serve several routes). */
function mergeNeeds(
  routes: RouteDefinition[],
  needsFor: (route: RouteDefinition) => HandlerNeeds,
): HandlerNeeds {
  const merged: HandlerNeeds = {};
  for (const route of routes) {
    const needs = needsFor(route);
    if (needs.jobs === 'readWrite' || (needs.jobs === 'read' && !merged.jobs)) merged.jobs = needs.jobs;
    if (needs.sendToQueues) merged.sendToQueues = true;
    if (needs.queueStats) merged.queueStats = true;
    if (needs.files) merged.files = [...new Set([...(merged.files ?? []), ...needs.files])];
    if (needs.gzippedFiles)
      merged.gzippedFiles = [...new Set([...(merged.gzippedFiles ?? []), ...needs.gzippedFiles])];
    if (needs.cursorSecret) merged.cursorSecret = true;
    if (needs.schedules === 'readWrite' || (needs.schedules === 'read' && !merged.schedules))
      merged.schedules = needs.schedules;
  }
  return merged;
}
