/**
 * The app as `cdk synth` runs it (infra/build-app.ts): cdk.json's context, cdk-nag's AWS Solutions checks as
 * a validation plugin, CloudFormation's built-in template validation. Only bundling is skipped.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Token, Validations } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { IConstruct } from 'constructs';
import { describe, expect, it } from 'vitest';
import { TIERS } from '../../functions/core/tiers.ts';
import { buildApp } from '../../infra/build-app.ts';
import { tables } from '../../infra/resources.ts';
import { cdkJsonContext, NO_BUNDLING } from './support/synth.ts';

// A built dashboard stands in for dashboard/build.ts's output.
const dashboardAssets = mkdtempSync(join(tmpdir(), 'dashboard-assets-'));
writeFileSync(join(dashboardAssets, 'index.html'), '<!doctype html><title>Dashboard</title>\n');
const { app, stack } = buildApp({ context: { ...cdkJsonContext, ...NO_BUNDLING } }, { dashboardAssets });
// Throws on any unacknowledged cdk-nag finding or CloudFormation validation error.
const assembly = app.synth();
const template = Template.fromJSON(assembly.getStackByName(stack.stackName).template);

function acknowledgments(root: IConstruct): { path: string; id: string; reason: string }[] {
  return root.node.findAll().flatMap((construct) =>
    construct.node.metadata
      .filter((entry) => entry.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
      .flatMap((entry) =>
        Object.entries(entry.data as Record<string, string>).map(([id, reason]) => ({
          path: construct.node.path,
          // Stored with the `Annotation::` prefix CDK gives ids without a well-known one.
          id: id.replace(/^annotation::/i, ''),
          reason,
        })),
      ),
  );
}

describe('the CDK app', () => {
  it('synthesizes one environment-agnostic stack named after the stage', () => {
    expect(assembly.stacks.map((s) => s.stackName)).toEqual(['JobQueue-dev']);
    expect(Token.isUnresolved(stack.account) && Token.isUnresolved(stack.region)).toBe(true);
    expect(assembly.stacks[0]?.environment).toMatchObject({
      account: 'unknown-account',
      region: 'unknown-region',
    });
  });

  it('passes cdk-nag AwsSolutionsChecks with no unacknowledged finding', () => {
    const report = new AwsSolutionsChecks().validateScope(app);
    expect(
      report.violations.map((v) => `${v.ruleName} ${v.violatingResources.map((r) => r.constructPath)}`),
    ).toEqual([]);
    expect(report.success).toBe(true);
  });

  it.each([
    ['production defaults', { stage: 'prod' }],
    ['no WebSocket access logs', { webSocketAccessLogs: 'false' }],
    [
      'jwks tokens and CORS',
      {
        authMode: 'jwks',
        jwksUrl: 'https://idp.example.com/jwks.json',
        jwtIssuer: 'https://idp.example.com',
        jwtAudience: 'jobs',
        corsOrigins: '*',
      },
    ],
    [
      'alarm e-mail and OIDC sign-in',
      {
        alarmEmail: 'ops@example.com',
        'dashboard.oidcIssuer': 'https://idp.example.com',
        'dashboard.oidcClientId': 'dashboard',
        authMode: 'jwks',
        jwksUrl: 'https://idp.example.com/jwks.json',
        jwtIssuer: 'https://idp.example.com',
        jwtAudience: 'dashboard',
      },
    ],
  ])('passes cdk-nag with %s too', (_name, context) => {
    // cdk-nag only: CloudFormation's template validation already ran on the default app above.
    const variant = buildApp({
      context: { ...cdkJsonContext, ...NO_BUNDLING, ...context },
      builtinCloudFormationValidation: false,
    });
    expect(() => variant.app.synth()).not.toThrow();
  });

  it('gives every acknowledged finding a specific reason', () => {
    const acknowledged = acknowledgments(app);
    expect(acknowledged.length).toBeGreaterThan(0);
    for (const { path, id, reason } of acknowledged) {
      expect(id, path).toMatch(/^AwsSolutions-[A-Z]+\d+(\[.+\])?$/);
      expect(reason.length, `${path} ${id}`).toBeGreaterThan(60);
    }
  });

  it('acknowledges only the expected rules', () => {
    const rules = new Set(acknowledgments(app).map(({ id }) => id.replace(/\[.*$/, '')));
    expect([...rules].sort()).toEqual([
      'AwsSolutions-APIG4',
      'AwsSolutions-CFR1',
      'AwsSolutions-CFR2',
      'AwsSolutions-CFR4',
      'AwsSolutions-IAM4',
      'AwsSolutions-IAM5',
      'AwsSolutions-L1',
      'AwsSolutions-SMG4',
      // The stream consumer's on-failure queue is itself a dead-letter destination.
      'AwsSolutions-SQS3',
    ]);
  });

  it('has no synth-time warning or error', () => {
    const annotations = Annotations.fromStack(stack);
    annotations.hasNoWarning('*', Match.anyValue());
    annotations.hasNoError('*', Match.anyValue());
  });

  it('outputs the API and dashboard URLs, the table names and the queue names', () => {
    const outputs = template.toJSON().Outputs as Record<string, { Value: unknown }>;
    expect(Object.keys(outputs).sort()).toEqual(
      [
        'HttpApiUrl',
        'WebSocketUrl',
        'DashboardUrl',
        'JwtSecretArn',
        ...tables.map((table) => `${table.id}TableName`),
        ...TIERS.flatMap((tier) => {
          const name = tier.charAt(0).toUpperCase() + tier.slice(1);
          return [`${name}QueueName`, `${name}DeadLetterQueueName`];
        }),
      ].sort(),
    );
    expect(JSON.stringify(outputs.HttpApiUrl?.Value)).toContain('"https://"');
    expect(JSON.stringify(outputs.WebSocketUrl?.Value)).toContain('"wss://"');
    expect(JSON.stringify(outputs.DashboardUrl?.Value)).toContain('"https://"');
  });
});
