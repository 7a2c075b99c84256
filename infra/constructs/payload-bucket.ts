/**
 * The bucket of params and results too large for the job item (functions/core/payloads.ts): encrypted
 * (SSE-S3), no public access, TLS only, owner-enforced objects, access logs, and lifecycle expiry after the
 * longest time a job may need each object (infra/resources.ts payloadBucket). `bindPayloads` gives a
 * function exactly what its part needs, on the prefix it uses.
 */
import { Duration, type RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import { Effect, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { Function as LambdaFunction } from 'aws-cdk-lib/aws-lambda';
import {
  BlockPublicAccess,
  Bucket,
  BucketEncryption,
  type CfnBucket,
  HttpMethods,
  type IBucket,
  ObjectOwnership,
} from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { PARAMS_PREFIX, RESULTS_PREFIX } from '../../functions/core/payloads.ts';
import { envNames } from '../env-names.ts';
import { payloadBucket } from '../resources.ts';

export interface PayloadBucketProps {
  /** Days a finished job is kept: the lifecycle rules expire objects after it (plus the margins). */
  retentionDays: number;
  /** Where the bucket's server access logs go. */
  accessLogs: IBucket;
  removalPolicy: RemovalPolicy;
}

/**
 * - `submit`: write params (and remove them again when the job is not created);
 * - `run`: read params, write results (multipart for large ones, and abort a cut-off upload);
 * - `read`: read both, to sign short-lived download links;
 * - `cleanup`: list a job's results and delete its objects.
 */
export type PayloadAccess = 'submit' | 'run' | 'read' | 'cleanup';

export class PayloadBucket extends Construct {
  public readonly bucket: Bucket;

  constructor(scope: Construct, id: string, props: PayloadBucketProps) {
    super(scope, id);
    this.bucket = new Bucket(this, 'Bucket', {
      encryption: BucketEncryption.S3_MANAGED,
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      objectOwnership: ObjectOwnership.BUCKET_OWNER_ENFORCED,
      serverAccessLogsBucket: props.accessLogs,
      serverAccessLogsPrefix: 'payloads/',
      lifecycleRules: [
        ...payloadBucket.lifecycleRules(props.retentionDays).map((rule) => ({
          id: rule.id,
          prefix: rule.prefix,
          expiration: Duration.days(rule.expirationDays),
        })),
        {
          id: 'incomplete-uploads',
          abortIncompleteMultipartUploadAfter: Duration.days(
            payloadBucket.abortIncompleteMultipartUploadDays,
          ),
        },
      ],
      // The dashboard downloads large params and results by following the API's redirect to a presigned
      // URL: any origin may GET (a redirected request has `Origin: null`); only a presigned URL gets an object.
      cors: [{ allowedMethods: [HttpMethods.GET], allowedOrigins: ['*'], maxAge: 3600 }],
      removalPolicy: props.removalPolicy,
    });
  }

  /** Sets PAYLOAD_BUCKET and grants what `access` needs, on the prefixes it touches only. */
  bind(fn: LambdaFunction, access: PayloadAccess): void {
    fn.addEnvironment(envNames.payloadBucket, this.bucket.bucketName);
    const objects = (prefix: string) => this.bucket.arnForObjects(`${prefix}*`);
    const statements: Record<PayloadAccess, PolicyStatement[]> = {
      submit: [allow(['s3:PutObject', 's3:DeleteObject'], [objects(PARAMS_PREFIX)])],
      run: [
        allow(['s3:GetObject'], [objects(PARAMS_PREFIX)]),
        allow(['s3:PutObject', 's3:AbortMultipartUpload'], [objects(RESULTS_PREFIX)]),
      ],
      read: [allow(['s3:GetObject'], [objects(PARAMS_PREFIX), objects(RESULTS_PREFIX)])],
      cleanup: [
        allow(['s3:DeleteObject'], [objects(PARAMS_PREFIX), objects(RESULTS_PREFIX)]),
        new PolicyStatement({
          effect: Effect.ALLOW,
          actions: ['s3:ListBucket'],
          resources: [this.bucket.bucketArn],
          conditions: { StringLike: { 's3:prefix': [`${RESULTS_PREFIX}*`] } },
        }),
      ],
    };
    for (const statement of statements[access]) fn.addToRolePolicy(statement);
    const bucketId = logicalIdOf(this.bucket);
    Validations.of(fn.role ?? fn).acknowledge(
      ...[PARAMS_PREFIX, RESULTS_PREFIX].map((prefix) => ({
        id: `AwsSolutions-IAM5[Resource::<${bucketId}.Arn>/${prefix}*]`,
        reason: `Objects of the payload bucket under ${prefix}: one per job (or per run), named by job id at run time.`,
      })),
    );
  }
}

const allow = (actions: string[], resources: string[]) =>
  new PolicyStatement({ effect: Effect.ALLOW, actions, resources });

function logicalIdOf(bucket: Bucket): string {
  const stack = Stack.of(bucket);
  return stack.resolve(stack.getLogicalId(bucket.node.defaultChild as CfnBucket));
}
