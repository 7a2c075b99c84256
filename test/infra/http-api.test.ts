import { Match } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { routes } from '../../functions/api/routes.ts';
import { TIERS } from '../../functions/core/tiers.ts';
import { apiHandlerNeeds, derivedNeeds, needsOf } from '../../infra/api-access.ts';
import { AUTHORIZER_CACHE_SECONDS } from '../../infra/limits.ts';
import { logicalId, resourcesOf, synth, variablesOf } from './support/synth.ts';

const { stack, template, json, annotations } = synth();
const api = stack.httpApi;
const apiRef = { Ref: logicalId(stack, api.api) };
const [authorizerId] = resourcesOf(json, 'AWS::ApiGatewayV2::Authorizer').find(
  ([, authorizer]) => JSON.stringify(authorizer.Properties?.ApiId) === JSON.stringify(apiRef),
) ?? [''];
const routesJson = resourcesOf(json, 'AWS::ApiGatewayV2::Route').filter(
  ([, r]) => JSON.stringify(r.Properties?.ApiId) === JSON.stringify(apiRef),
);
const integrations = Object.fromEntries(resourcesOf(json, 'AWS::ApiGatewayV2::Integration'));
const environmentOf = (module: string) => {
  const fn = api.handlers.get(module);
  if (!fn) throw new Error(`no function for ${module}`);
  return variablesOf(json, logicalId(stack, fn));
};

describe('HTTP API routes', () => {
  it('has exactly one route per entry of functions/api/routes.ts, plus $default', () => {
    expect(routesJson.map(([, r]) => r.Properties?.RouteKey).sort()).toEqual(
      [...routes.map((route) => `${route.method} ${route.path}`), '$default'].sort(),
    );
  });

  it('answers unknown routes with the not-found handler, without an authorizer', () => {
    const [, fallback] = routesJson.find(([, r]) => r.Properties?.RouteKey === '$default') ?? [];
    expect(fallback?.Properties).toMatchObject({ AuthorizationType: 'NONE' });
    const target = JSON.stringify(fallback?.Properties?.Target);
    const integrationId = Object.keys(integrations).find((id) => target.includes(`"${id}"`)) ?? '';
    const functionId = JSON.stringify(integrations[integrationId]?.Properties?.IntegrationUri).match(
      /"(\w*NotFoundHandler\w*)"/,
    )?.[1];
    expect(functionId).toBeDefined();
    expect(json.Resources[functionId ?? '']?.Properties?.Handler).toBeDefined();
  });

  it('builds one function per handler module', () => {
    expect([...api.handlers.keys()].sort()).toEqual(
      [...new Set(routes.map((route) => route.handler))].sort(),
    );
  });

  describe.each(routes.map((route) => [`${route.method} ${route.path}`, route] as const))(
    '%s',
    (routeKey, route) => {
      const [, routeJson] = routesJson.find(([, r]) => r.Properties?.RouteKey === routeKey) ?? [];
      const fn = api.handlers.get(route.handler);

      it(`invokes functions/handlers/api/${route.handler}.ts`, () => {
        const target = JSON.stringify(routeJson?.Properties?.Target);
        const integrationId = Object.keys(integrations).find((id) => target.includes(`"${id}"`));
        expect(integrationId).toBeDefined();
        expect(integrations[integrationId ?? '']?.Properties).toMatchObject({
          IntegrationType: 'AWS_PROXY',
          PayloadFormatVersion: '2.0',
        });
        expect(JSON.stringify(integrations[integrationId ?? '']?.Properties?.IntegrationUri)).toContain(
          `"${fn && logicalId(stack, fn)}"`,
        );
        expect(json.Resources[fn ? logicalId(stack, fn) : '']?.Properties?.Description).toContain(routeKey);
      });

      if (route.access === 'public') {
        it('is public: no authorizer', () => {
          expect(routeJson?.Properties).toMatchObject({ AuthorizationType: 'NONE' });
          expect(routeJson?.Properties?.AuthorizerId).toBeUndefined();
        });
      } else {
        it('goes through the Lambda authorizer', () => {
          expect(routeJson?.Properties).toMatchObject({
            AuthorizationType: 'CUSTOM',
            AuthorizerId: { Ref: authorizerId },
          });
        });
      }
    },
  );

  it('declares the IAM needs of every handler module (no fallback used)', () => {
    for (const route of routes) expect(apiHandlerNeeds[route.handler], route.handler).toBeDefined();
    annotations.hasNoWarning('*', Match.stringLikeRegexp('infra/api-access.ts'));
  });

  it('derives needs for a route whose handler nobody declared yet', () => {
    expect(needsOf({ ...routes[0], handler: 'not-declared' } as (typeof routes)[number]).declared).toBe(
      false,
    );
    const extra = {
      method: 'POST',
      path: '/jobs/{id}/pause',
      handler: 'health',
      access: 'user',
      summary: 'x',
    } as const;
    expect(derivedNeeds(extra)).toEqual({ jobs: 'readWrite', sendToQueues: true });
    expect(derivedNeeds({ ...extra, method: 'GET', path: '/queue/stats/tiers' })).toEqual({
      jobs: 'read',
      cursorSecret: true,
      queueStats: true,
    });
    expect(derivedNeeds({ ...extra, access: 'public' })).toEqual({});
  });
});

describe('HTTP API authorizer', () => {
  it('is the functions/handlers/authorizer.ts Lambda with simple responses, payload 2.0', () => {
    template.hasResourceProperties('AWS::ApiGatewayV2::Authorizer', {
      ApiId: apiRef,
      AuthorizerType: 'REQUEST',
      EnableSimpleResponses: true,
      AuthorizerPayloadFormatVersion: '2.0',
      AuthorizerUri: Match.objectLike({
        'Fn::Join': [
          '',
          Match.arrayWith([{ 'Fn::GetAtt': [logicalId(stack, api.authorizerFunction), 'Arn'] }]),
        ],
      }),
    });
    expect(json.Resources[logicalId(stack, api.authorizerFunction)]?.Properties?.Description).toBe(
      'functions/handlers/authorizer.ts',
    );
  });

  it('identifies callers by the Authorization header and caches each verdict', () => {
    // No header: API Gateway answers 401 itself, without invoking anything; one token, one invocation per TTL.
    template.hasResourceProperties('AWS::ApiGatewayV2::Authorizer', {
      ApiId: apiRef,
      IdentitySource: ['$request.header.Authorization'],
      AuthorizerResultTtlInSeconds: AUTHORIZER_CACHE_SECONDS,
    });
    const custom = synth({ settings: { authorizerCacheSeconds: 0 } });
    custom.template.hasResourceProperties('AWS::ApiGatewayV2::Authorizer', {
      IdentitySource: ['$request.header.Authorization'],
      AuthorizerResultTtlInSeconds: 0,
    });
  });

  it('gets the token settings and the ARN of the signing secret, never the secret', () => {
    const variables = variablesOf(json, logicalId(stack, api.authorizerFunction));
    expect(Object.keys(variables).sort()).toEqual([
      'AUTH_MODE',
      'JWT_SECRET_ARN',
      'LOG_LEVEL',
      'SERVICE_NAME',
    ]);
    expect(variables.AUTH_MODE).toBe('hs256');
    expect(variables.JWT_SECRET_ARN).toEqual({
      Ref: logicalId(stack, stack.auth.secret as unknown as Parameters<typeof logicalId>[1]),
    });
  });

  it('passes jwks settings through', () => {
    const jwks = synth({
      settings: {
        auth: {
          mode: 'jwks',
          jwksUrl: 'https://idp.example.com/.well-known/jwks.json',
          issuer: 'https://idp.example.com',
          audience: 'jobs',
        },
      },
    });
    const variables = variablesOf(jwks.json, logicalId(jwks.stack, jwks.stack.httpApi.authorizerFunction));
    expect(variables).toMatchObject({
      AUTH_MODE: 'jwks',
      JWT_JWKS_URL: 'https://idp.example.com/.well-known/jwks.json',
      JWT_ISSUER: 'https://idp.example.com',
      JWT_AUDIENCE: 'jobs',
    });
    expect(variables.JWT_SECRET).toBeUndefined();
    expect(variables.JWT_SECRET_ARN).toBeUndefined();
    // Only the cursor key: jwks mode has no signing secret.
    jwks.template.resourceCountIs('AWS::SecretsManager::Secret', 1);
    expect(jwks.stack.auth.secret).toBeUndefined();
  });

  it('passes Cognito claims and a token lifetime through', () => {
    const cognito = synth({
      settings: {
        auth: {
          mode: 'jwks',
          jwksUrl: 'https://cognito-idp.eu-west-1.amazonaws.com/pool/.well-known/jwks.json',
          issuer: 'https://cognito-idp.eu-west-1.amazonaws.com/pool',
          cognitoClientId: 'client-1',
          tokenUse: 'access',
          maxTokenLifetimeSeconds: 3600,
        },
      },
    });
    expect(
      variablesOf(cognito.json, logicalId(cognito.stack, cognito.stack.httpApi.authorizerFunction)),
    ).toMatchObject({
      JWT_COGNITO_CLIENT_ID: 'client-1',
      JWT_TOKEN_USE: 'access',
      JWT_MAX_LIFETIME_SECONDS: '3600',
    });
  });
});

describe('HTTP API handler environment', () => {
  it.each(['health', 'openapi', 'list-agents'])('%s gets no table or queue', (module) => {
    expect(Object.keys(environmentOf(module)).sort()).toEqual(['LOG_LEVEL', 'SERVICE_NAME']);
  });

  it.each(['submit-job', 'submit-agent-job', 'retry-job', 'admin-recover', 'admin-cleanup', 'admin-redrive'])(
    '%s knows the jobs table and every tier queue',
    (module) => {
      const variables = environmentOf(module);
      expect(variables).toMatchObject({
        JOBS_TABLE: { Ref: logicalId(stack, stack.store.get('Jobs')) },
        RETENTION_DAYS: '30',
      });
      for (const tier of TIERS)
        expect(variables[`QUEUE_URL_${tier.toUpperCase()}`]).toEqual({
          Ref: logicalId(stack, stack.queues.queues[tier]),
        });
    },
  );

  it('queue-stats also knows the dead-letter queues and the deployed concurrency', () => {
    const variables = environmentOf('queue-stats');
    for (const tier of TIERS)
      expect(variables[`DLQ_URL_${tier.toUpperCase()}`]).toEqual({
        Ref: logicalId(stack, stack.queues.deadLetterQueues[tier]),
      });
    expect(JSON.parse(String(variables.TIER_MAX_CONCURRENCY))).toEqual(stack.settings.tierConcurrency);
  });
});

describe('HTTP API stage', () => {
  it('auto-deploys $default and writes JSON access logs to its own log group', () => {
    template.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
      ApiId: apiRef,
      StageName: '$default',
      AutoDeploy: true,
      AccessLogSettings: {
        DestinationArn: { 'Fn::GetAtt': [logicalId(stack, api.accessLogs), 'Arn'] },
        Format: Match.stringLikeRegexp('"requestId":"\\$context.requestId"'),
      },
    });
    template.hasResourceProperties('AWS::Logs::LogGroup', { RetentionInDays: 7 });
  });

  const dashboardOrigin = (variant: { stack: typeof stack }) => ({
    'Fn::Join': [
      '',
      [
        'https://',
        { 'Fn::GetAtt': [logicalId(variant.stack, variant.stack.dashboard.distribution), 'DomainName'] },
      ],
    ],
  });

  it("allows only the dashboard's origin by default, without credentials", () => {
    template.hasResourceProperties('AWS::ApiGatewayV2::Api', {
      ProtocolType: 'HTTP',
      CorsConfiguration: {
        AllowOrigins: [dashboardOrigin({ stack })],
        AllowHeaders: ['authorization', 'content-type'],
        AllowMethods: ['GET', 'POST', 'PATCH', 'DELETE', 'OPTIONS'],
        ExposeHeaders: ['location'],
        MaxAge: 3600,
        AllowCredentials: Match.absent(),
      },
    });
  });

  it("allows the configured origins besides the dashboard's", () => {
    const cors = synth({ settings: { corsOrigins: ['https://app.example.com'] } });
    cors.template.hasResourceProperties('AWS::ApiGatewayV2::Api', {
      ProtocolType: 'HTTP',
      CorsConfiguration: Match.objectLike({
        AllowOrigins: ['https://app.example.com', dashboardOrigin(cors)],
      }),
    });
  });

  it('adds nothing to an allow-all origin', () => {
    const any = synth({ settings: { corsOrigins: ['*'] } });
    any.template.hasResourceProperties('AWS::ApiGatewayV2::Api', {
      CorsConfiguration: Match.objectLike({ AllowOrigins: ['*'] }),
    });
  });
});
