/**
 * Abuse limits and secrets on the synthesized template: API throttling, authorizer caching, reserved
 * concurrency for the functions that carry jobs, secrets kept out of every function's environment, and the
 * maintenance functions' asynchronous retries as infra/resources.ts defines them (the local timer reads the same).
 */
import { Match } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { TIERS } from '../../functions/core/tiers.ts';
import { settingsFromContext } from '../../infra/context.ts';
import { reservedConcurrency, throttleDefaults } from '../../infra/limits.ts';
import { maintenanceRetries, tierDefaults } from '../../infra/resources.ts';
import { SettingsError } from '../../infra/settings.ts';
import { logicalId, propertiesOf, resourcesOf, synth } from './support/synth.ts';

const { stack, template, json } = synth();
const PLAINTEXT = 'plaintext-signing-secret-plaintext-signing-secret';

describe('secrets', () => {
  it.each([
    ['generated', { source: 'generated' } as const],
    ['secretsManager', { source: 'secretsManager', secretId: 'job-queue/jwt' } as const],
    ['plaintext', { source: 'plaintext', value: PLAINTEXT } as const],
  ])('no function environment holds the %s signing secret or a dynamic reference to one', (_name, secret) => {
    const variant = synth({ settings: { auth: { mode: 'hs256', secret } } });
    const functions = resourcesOf(variant.json, 'AWS::Lambda::Function');
    expect(functions.length).toBeGreaterThan(10);
    for (const [id, fn] of functions) {
      const environment = JSON.stringify(fn.Properties?.Environment ?? {});
      expect(environment, id).not.toContain('{{resolve:secretsmanager');
      expect(environment, id).not.toContain(PLAINTEXT);
      expect(environment, id).not.toMatch(/"JWT_SECRET"|"CURSOR_SECRET"/);
    }
    const withArn = functions.filter(([, fn]) =>
      JSON.stringify(fn.Properties?.Environment).includes('JWT_SECRET_ARN'),
    );
    expect(withArn.map(([id]) => id).sort()).toEqual(
      [stack.httpApi.authorizerFunction, stack.webSocket.authorizerFunction]
        .map((fn) => logicalId(variant.stack, fn))
        .sort(),
    );
  });

  it('keeps a plaintext secret in Secrets Manager (the template has it; no function does)', () => {
    const variant = synth({
      settings: { auth: { mode: 'hs256', secret: { source: 'plaintext', value: PLAINTEXT } } },
    });
    variant.template.hasResourceProperties('AWS::SecretsManager::Secret', { SecretString: PLAINTEXT });
  });

  it('generates a cursor key and gives its ARN to the handlers that page', () => {
    template.hasResourceProperties('AWS::SecretsManager::Secret', {
      GenerateSecretString: Match.objectLike({ PasswordLength: 64 }),
      Description: Match.stringLikeRegexp('cursors'),
    });
    for (const module of ['list-jobs', 'admin-dead']) {
      const fn = stack.httpApi.handlers.get(module);
      if (!fn) throw new Error(module);
      const environment = (
        propertiesOf(json, logicalId(stack, fn)).Environment as { Variables: Record<string, unknown> }
      ).Variables;
      expect(environment.CURSOR_SECRET_ARN).toEqual({ Ref: logicalId(stack, stack.cursorSecret) });
    }
  });
});

describe('throttling', () => {
  const httpStage = propertiesOf(json, logicalId(stack, stack.httpApi.stage));
  const wsStage = propertiesOf(json, logicalId(stack, stack.webSocket.stage));
  const limits = (throttle: { rate: number; burst: number }) => ({
    ThrottlingRateLimit: throttle.rate,
    ThrottlingBurstLimit: throttle.burst,
  });

  it('limits every HTTP route by default, and submissions and admin actions more', () => {
    expect(httpStage.DefaultRouteSettings).toMatchObject(limits(throttleDefaults.http));
    expect(httpStage.RouteSettings).toEqual({
      'POST /jobs': limits(throttleDefaults.submit),
      'POST /agents/{type}/{command}': limits(throttleDefaults.submit),
      'POST /admin/recover': limits(throttleDefaults.admin),
      'POST /admin/cleanup': limits(throttleDefaults.admin),
      'POST /admin/dead/redrive': limits(throttleDefaults.admin),
      'POST /admin/tiers/{tier}/pause': limits(throttleDefaults.admin),
      'POST /admin/tiers/{tier}/resume': limits(throttleDefaults.admin),
    });
  });

  it('creates the HTTP stage after the routes its settings name', () => {
    const dependsOn = json.Resources[logicalId(stack, stack.httpApi.stage)] as { DependsOn?: string[] };
    const routeIds = resourcesOf(json, 'AWS::ApiGatewayV2::Route')
      .filter(([, route]) => String(route.Properties?.RouteKey) in (httpStage.RouteSettings as object))
      .map(([id]) => id);
    expect(routeIds).toHaveLength(7);
    for (const id of routeIds) expect(dependsOn.DependsOn ?? []).toContain(id);
  });

  it('limits WebSocket messages, and handshakes more', () => {
    expect(wsStage.DefaultRouteSettings).toMatchObject(limits(throttleDefaults.webSocket));
    expect(wsStage.RouteSettings).toEqual({ $connect: limits(throttleDefaults.connect) });
  });

  it('takes limits from context', () => {
    const settings = settingsFromContext({
      tryGetContext: (key: string) =>
        ({ stage: 'dev', 'throttle.submit.rate': '5', 'throttle.http.burst': 30 })[key],
    });
    const custom = synth({ settings: { throttling: settings.throttling } });
    const stage = propertiesOf(custom.json, logicalId(custom.stack, custom.stack.httpApi.stage));
    expect(stage.DefaultRouteSettings).toMatchObject({ ThrottlingBurstLimit: 30, ThrottlingRateLimit: 100 });
    expect((stage.RouteSettings as Record<string, unknown>)['POST /jobs']).toEqual({
      ThrottlingRateLimit: 5,
      ThrottlingBurstLimit: throttleDefaults.submit.burst,
    });
    expect(() => synth({ settings: { throttling: { http: { rate: 0 } } } })).toThrow(SettingsError);
    expect(() => synth({ settings: { throttling: { everything: { rate: 1 } } as never } })).toThrow(
      /not one of/,
    );
  });
});

describe('reserved concurrency', () => {
  const reserved = (fn: Parameters<typeof logicalId>[1]) =>
    propertiesOf(json, logicalId(stack, fn)).ReservedConcurrentExecutions;

  it('reserves for the worker what its four event sources can use at once, so they are never throttled', () => {
    const sum = TIERS.reduce((total, tier) => total + tierDefaults[tier].maxConcurrency, 0);
    expect(reserved(stack.workers.worker)).toBe(sum);
    const mappings = resourcesOf(json, 'AWS::Lambda::EventSourceMapping').filter(
      ([, mapping]) =>
        JSON.stringify(mapping.Properties?.FunctionName) ===
        JSON.stringify({ Ref: logicalId(stack, stack.workers.worker) }),
    );
    expect(
      mappings.reduce(
        (total, [, mapping]) =>
          total +
          Number(
            (mapping.Properties?.ScalingConfig as { MaximumConcurrency?: number } | undefined)
              ?.MaximumConcurrency,
          ),
        0,
      ),
    ).toBe(sum);
  });

  it('reserves for the stream consumers', () => {
    expect(reserved(stack.workers.dependencyResolver)).toBe(reservedConcurrency.dependencyResolver);
    expect(reserved(stack.webSocket.notifier)).toBe(reservedConcurrency.notifier);
  });

  it('leaves the API handlers unreserved (the stage throttling bounds them)', () => {
    for (const fn of stack.httpApi.handlers.values()) expect(reserved(fn)).toBeUndefined();
  });

  it('follows the tier concurrency, and can be turned off for small accounts', () => {
    const custom = synth({ settings: { tierConcurrency: { critical: 40 } } });
    expect(
      propertiesOf(custom.json, logicalId(custom.stack, custom.stack.workers.worker))
        .ReservedConcurrentExecutions,
    ).toBe(40 + 10 + 5 + 2);
    const off = synth({ settings: { reserveConcurrency: false } });
    for (const [, fn] of resourcesOf(off.json, 'AWS::Lambda::Function'))
      expect(fn.Properties?.ReservedConcurrentExecutions).toBeUndefined();
  });

  it('tells at synth what account quota the reservations need', () => {
    synth().annotations.hasInfo(
      '/Test',
      Match.stringLikeRegexp('Reserves 57 concurrent Lambda executions.*at least 157'),
    );
  });
});

describe('maintenance retries', () => {
  const invokeConfigOf = (fn: Parameters<typeof logicalId>[1]) =>
    resourcesOf(json, 'AWS::Lambda::EventInvokeConfig').find(
      ([, config]) =>
        JSON.stringify(config.Properties?.FunctionName) === JSON.stringify({ Ref: logicalId(stack, fn) }),
    )?.[1].Properties;

  it('sets Lambda asynchronous retries explicitly, as the local timer applies them', () => {
    expect(invokeConfigOf(stack.maintenance.recoverFunction)).toMatchObject({
      MaximumRetryAttempts: maintenanceRetries.recover.retryAttempts,
    });
    expect(invokeConfigOf(stack.maintenance.cleanupFunction)).toMatchObject({
      MaximumRetryAttempts: maintenanceRetries.cleanup.retryAttempts,
    });
    expect(maintenanceRetries.recover.retryAttempts).toBe(0);
  });
});

describe('jwks settings', () => {
  const jwksUrl = 'https://idp.example.com/.well-known/jwks.json';
  const context = (values: Record<string, string>) =>
    settingsFromContext({
      tryGetContext: (key: string) => ({ stage: 'dev', authMode: 'jwks', jwksUrl, ...values })[key],
    });

  it('fail at synth without issuer and audience (or Cognito claims)', () => {
    expect(() => synth({ settings: { auth: { mode: 'jwks', jwksUrl } } })).toThrow(/audience/);
    expect(() => synth({ settings: { auth: { mode: 'jwks', jwksUrl, audience: 'jobs' } } })).toThrow(
      /issuer/,
    );
    expect(() => synth({ settings: context({ jwtIssuer: 'https://idp.example.com' }) })).toThrow(
      /jwtAcceptAnyIssuerAndAudience=true/,
    );
    expect(() => context({ jwtTokenUse: 'refresh' })).toThrow(/access or id/);
  });

  it('pass with Cognito claims, or with the named waiver (which warns)', () => {
    const cognito = context({
      jwtIssuer: 'https://idp.example.com',
      jwtCognitoClientId: 'c',
      jwtTokenUse: 'id',
    });
    expect(() => synth({ settings: cognito })).not.toThrow();
    const waived = synth({ settings: context({ jwtAcceptAnyIssuerAndAudience: 'true' }) });
    waived.annotations.hasWarning('*', Match.stringLikeRegexp('any client of the identity provider'));
  });
});
