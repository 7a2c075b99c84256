import { RemovalPolicy } from 'aws-cdk-lib';
import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { describe, expect, it } from 'vitest';
import { CONTEXT_KEYS, settingsFromContext } from '../../infra/context.ts';
import { queueDefaults, tierDefaults } from '../../infra/resources.ts';
import { resolveSettings, SettingsError } from '../../infra/settings.ts';

const context = (values: Record<string, unknown>) => ({ tryGetContext: (key: string) => values[key] });

describe('resolveSettings', () => {
  it('makes dev stages easy to tear down', () => {
    const settings = resolveSettings({ stage: 'dev' });
    expect(settings.removalPolicy).toBe(RemovalPolicy.DESTROY);
    expect(settings.deletionProtection).toBe(false);
    expect(settings.logRetention).toBe(RetentionDays.ONE_WEEK);
  });

  it.each(['prod', 'staging', 'production', 'eu'])('keeps the data of stage %s by default', (stage) => {
    const settings = resolveSettings({ stage });
    expect(settings.removalPolicy).toBe(RemovalPolicy.RETAIN);
    expect(settings.deletionProtection).toBe(true);
    expect(settings.logRetention).toBe(RetentionDays.ONE_MONTH);
  });

  it('takes its defaults from infra/resources.ts', () => {
    const settings = resolveSettings({ stage: 'dev' });
    expect(settings.maxReceiveCount).toBe(queueDefaults.maxReceiveCount);
    expect(settings.tierConcurrency).toEqual({
      critical: tierDefaults.critical.maxConcurrency,
      high: tierDefaults.high.maxConcurrency,
      normal: tierDefaults.normal.maxConcurrency,
      low: tierDefaults.low.maxConcurrency,
    });
    expect(settings.auth).toEqual({ mode: 'hs256', secret: { source: 'generated' } });
    expect(settings.corsOrigins).toEqual([]);
  });

  it.each([
    [{ stage: 'Prod' }, /stage/],
    [{ stage: 'dev', removalPolicy: 'destroy' as const, deletionProtection: true }, /deletionProtection/],
    [{ stage: 'dev', tierConcurrency: { low: 1 } }, /tierConcurrency.low/],
    [{ stage: 'dev', tierConcurrency: { critical: 1001 } }, /tierConcurrency.critical/],
    [{ stage: 'dev', maxReceiveCount: 0 }, /maxReceiveCount/],
    [{ stage: 'dev', logRetentionDays: 8 }, /logRetentionDays/],
    [{ stage: 'dev', corsOrigins: ['example.com'] }, /corsOrigins/],
    [{ stage: 'dev', auth: { mode: 'jwks' as const, jwksUrl: 'http://idp/jwks' } }, /jwksUrl/],
    [
      {
        stage: 'dev',
        auth: { mode: 'hs256' as const, secret: { source: 'plaintext' as const, value: 'short' } },
      },
      /32/,
    ],
  ])('rejects %j at synth time', (settings, message) => {
    expect(() => resolveSettings(settings)).toThrow(SettingsError);
    expect(() => resolveSettings(settings)).toThrow(message);
  });
});

describe('settingsFromContext', () => {
  it('reads every documented key from command-line strings', () => {
    const settings = resolveSettings(
      settingsFromContext(
        context({
          stage: 'staging',
          removalPolicy: 'destroy',
          deletionProtection: 'false',
          maxReceiveCount: '20',
          'concurrency.critical': '50',
          'concurrency.low': '3',
          retentionDays: '7',
          logRetentionDays: '14',
          logLevel: 'debug',
          corsOrigins: 'https://app.example.com, http://localhost:5173',
          jwtSecretName: 'job-queue/jwt',
          jwtIssuer: 'https://issuer.example.com',
          jwtAudience: 'job-queue',
          webSocketAccessLogs: 'false',
          apiGatewayCloudWatchRole: 'false',
        }),
      ),
    );
    expect(settings).toMatchObject({
      stage: 'staging',
      removalPolicy: RemovalPolicy.DESTROY,
      deletionProtection: false,
      maxReceiveCount: 20,
      tierConcurrency: { critical: 50, high: 10, normal: 5, low: 3 },
      retentionDays: 7,
      logRetention: RetentionDays.TWO_WEEKS,
      logLevel: 'debug',
      corsOrigins: ['https://app.example.com', 'http://localhost:5173'],
      auth: {
        mode: 'hs256',
        secret: { source: 'secretsManager', secretId: 'job-queue/jwt' },
        issuer: 'https://issuer.example.com',
        audience: 'job-queue',
      },
      webSocketAccessLogs: false,
      apiGatewayCloudWatchRole: false,
    });
  });

  it('accepts JSON values from cdk.json', () => {
    const settings = settingsFromContext(
      context({ maxReceiveCount: 12, corsOrigins: ['*'], webSocketAccessLogs: true }),
    );
    expect(settings).toMatchObject({
      stage: 'dev',
      maxReceiveCount: 12,
      corsOrigins: ['*'],
      webSocketAccessLogs: true,
    });
  });

  it('configures jwks verification', () => {
    expect(
      settingsFromContext(context({ authMode: 'jwks', jwksUrl: 'https://idp.example.com/jwks.json' })).auth,
    ).toEqual({ mode: 'jwks', jwksUrl: 'https://idp.example.com/jwks.json' });
  });

  it.each([
    [{ maxReceiveCount: 'ten' }, /maxReceiveCount/],
    [{ webSocketAccessLogs: 'yes' }, /webSocketAccessLogs/],
    [{ authMode: 'jwks' }, /jwksUrl/],
    [{ authMode: 'rs512' }, /authMode/],
    [{ jwtSecret: 'x'.repeat(40), jwtSecretName: 'name' }, /not both/],
    [{ jwksUrl: 'https://idp/jwks' }, /jwks only/],
  ])('rejects %j', (values, message) => {
    expect(() => settingsFromContext(context(values))).toThrow(message);
  });

  it('documents every key it reads', () => {
    const read = new Set<string>();
    settingsFromContext({
      tryGetContext: (key: string) => {
        read.add(key);
        return undefined;
      },
    });
    expect([...read].sort()).toEqual(Object.keys(CONTEXT_KEYS).sort());
  });
});
