/**
 * The payload bucket (infra/constructs/payload-bucket.ts): encrypted, private, TLS only, logged, expiring
 * params and results by the shared definition (the same the local stack provisions), and each function
 * granted only what its part of the payload flow needs, on the prefixes it uses.
 */
import { describe, expect, it } from 'vitest';
import { PARAMS_PREFIX, RESULTS_PREFIX } from '../../functions/core/payloads.ts';
import type { JobFunction } from '../../infra/constructs/job-function.ts';
import { envNames } from '../../infra/env-names.ts';
import { payloadBucket } from '../../infra/resources.ts';
import { logicalId, resourcesOf, synth } from './support/synth.ts';

const { stack, json, template } = synth({ settings: { retentionDays: 10 } });
const bucketId = logicalId(stack, stack.payloads.bucket);
const bucket = json.Resources[bucketId]?.Properties ?? {};

interface Statement {
  Effect: string;
  Action: string | string[];
  Resource: unknown;
  Condition?: unknown;
}
const list = <T>(value: T | T[]): T[] => (Array.isArray(value) ? value : [value]);

/** The S3 grants of a function's role, as "action on resource" lines (the bucket's ARN written as `bucket`). */
function s3GrantsOf(fn: JobFunction): string[] {
  const roleId = logicalId(stack, { node: { defaultChild: fn.role?.node.defaultChild } });
  return resourcesOf(json, 'AWS::IAM::Policy')
    .filter(([, policy]) => JSON.stringify(policy.Properties?.Roles) === JSON.stringify([{ Ref: roleId }]))
    .flatMap(
      ([, policy]) =>
        (policy.Properties?.PolicyDocument as { Statement?: Statement[] } | undefined)?.Statement ?? [],
    )
    .flatMap((statement) =>
      list(statement.Action)
        .filter((action) => action.startsWith('s3:'))
        .flatMap((action) =>
          list(statement.Resource).map((resource) => {
            const text = JSON.stringify(resource);
            expect(text).toContain(bucketId);
            const suffix = text.match(/"(\/[^"]*)"\]\]\}$/)?.[1] ?? '';
            return `${action} bucket${suffix}`;
          }),
        ),
    )
    .sort();
}
const handler = (module: string) => stack.httpApi.handlers.get(module) as JobFunction;

describe('payload bucket', () => {
  it('is encrypted, private, owner-enforced and logged', () => {
    expect(bucket.BucketEncryption).toEqual({
      ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }],
    });
    expect(bucket.PublicAccessBlockConfiguration).toEqual({
      BlockPublicAcls: true,
      BlockPublicPolicy: true,
      IgnorePublicAcls: true,
      RestrictPublicBuckets: true,
    });
    expect(bucket.OwnershipControls).toEqual({ Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }] });
    expect(bucket.LoggingConfiguration).toMatchObject({ LogFilePrefix: 'payloads/' });
  });

  it('refuses requests without TLS', () => {
    const policy = resourcesOf(json, 'AWS::S3::BucketPolicy').find(
      ([, p]) => JSON.stringify(p.Properties?.Bucket) === JSON.stringify({ Ref: bucketId }),
    );
    const document = policy?.[1].Properties?.PolicyDocument as { Statement?: Statement[] } | undefined;
    const statements = document?.Statement ?? [];
    expect(statements).toContainEqual(
      expect.objectContaining({
        Effect: 'Deny',
        Action: 's3:*',
        Condition: { Bool: { 'aws:SecureTransport': 'false' } },
      }),
    );
  });

  it('expires params and results after retention plus their margins, as the shared definition says', () => {
    const rules = (bucket.LifecycleConfiguration as { Rules: Record<string, unknown>[] }).Rules;
    expect(rules).toEqual([
      ...payloadBucket.lifecycleRules(10).map((rule) => ({
        Id: rule.id,
        Prefix: rule.prefix,
        ExpirationInDays: rule.expirationDays,
        Status: 'Enabled',
      })),
      {
        Id: 'incomplete-uploads',
        AbortIncompleteMultipartUpload: { DaysAfterInitiation: 1 },
        Status: 'Enabled',
      },
    ]);
    expect(rules.map((rule) => rule.Prefix)).toEqual([PARAMS_PREFIX, RESULTS_PREFIX, undefined]);
    expect(rules[0]?.ExpirationInDays).toBe(10 + 366 + 3);
    expect(rules[1]?.ExpirationInDays).toBe(10 + 3);
  });

  it('grants each function only its part, on its prefixes', () => {
    expect(s3GrantsOf(handler('submit-job'))).toEqual([
      's3:DeleteObject bucket/params/*',
      's3:PutObject bucket/params/*',
    ]);
    expect(s3GrantsOf(handler('submit-agent-job'))).toEqual(s3GrantsOf(handler('submit-job')));
    expect(s3GrantsOf(stack.workers.worker)).toEqual([
      's3:AbortMultipartUpload bucket/results/*',
      's3:GetObject bucket/params/*',
      's3:PutObject bucket/results/*',
    ]);
    for (const module of ['get-job-params', 'get-job-result'])
      expect(s3GrantsOf(handler(module))).toEqual([
        's3:GetObject bucket/params/*',
        's3:GetObject bucket/results/*',
      ]);
    const cleanup = [
      's3:DeleteObject bucket/params/*',
      's3:DeleteObject bucket/results/*',
      's3:ListBucket bucket',
    ];
    expect(s3GrantsOf(stack.maintenance.cleanupFunction)).toEqual(cleanup);
    expect(s3GrantsOf(handler('admin-cleanup'))).toEqual(cleanup);
    for (const module of ['get-job', 'list-jobs', 'cancel-job', 'queue-stats'])
      expect(s3GrantsOf(handler(module))).toEqual([]);
  });

  it('names the bucket to exactly the functions it grants', () => {
    const named = [
      ...['submit-job', 'submit-agent-job', 'get-job-params', 'get-job-result', 'admin-cleanup'].map(handler),
      stack.workers.worker,
      stack.maintenance.cleanupFunction,
    ].map((fn) => logicalId(stack, fn));
    const withEnv = Object.entries(template.findResources('AWS::Lambda::Function'))
      .filter(([, fn]) => fn.Properties?.Environment?.Variables?.[envNames.payloadBucket])
      .map(([id]) => id)
      .sort();
    expect(withEnv).toEqual(named.sort());
  });
});
