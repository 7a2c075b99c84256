/**
 * The cdk-nag findings the dashboard's hosting accepts, each with its reason: CloudFront choices that would
 * cost more than a static, token-guarded site is worth, and CDK's BucketDeployment handler, whose role and
 * runtime CDK fixes.
 */
import { Stack, Validations } from 'aws-cdk-lib';
import type { Distribution } from 'aws-cdk-lib/aws-cloudfront';
import type { Bucket, CfnBucket } from 'aws-cdk-lib/aws-s3';
import type { BucketDeployment } from 'aws-cdk-lib/aws-s3-deployment';

export function acknowledgeDistributionFindings(distribution: Distribution): void {
  Validations.of(distribution).acknowledge(
    {
      id: 'AwsSolutions-CFR1',
      reason:
        'No geo restriction: operators sign in from wherever they work; every call the page makes is authorized by the API with a token.',
    },
    {
      id: 'AwsSolutions-CFR2',
      reason:
        'No WAF: the distribution serves only static files (no server code, no user data); the API it calls has its own authorizer, throttling and quotas, and a web ACL would cost at least $6 a month for nothing to protect.',
    },
    {
      id: 'AwsSolutions-CFR4',
      reason:
        "The distribution uses CloudFront's default *.cloudfront.net certificate, whose security policy CloudFront fixes at TLSv1; a minimum of TLSv1.2 needs a custom domain and an ACM certificate in us-east-1. Browsers negotiate TLS 1.2/1.3 with it anyway.",
    },
  );
}

export function acknowledgeDeploymentFindings(deployment: BucketDeployment, bucket: Bucket): void {
  const stack = Stack.of(bucket);
  const bucketId = stack.resolve(stack.getLogicalId(bucket.node.defaultChild as CfnBucket)) as string;
  const role = deployment.handlerRole;
  // The singleton function CDK creates for every BucketDeployment of the stack (its role's parent).
  const handler = role.node.scope;
  if (!handler) throw new Error('BucketDeployment handler role without a parent construct');
  Validations.of(role).acknowledge(
    {
      id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
      reason:
        "CDK's BucketDeployment handler role: CDK attaches AWSLambdaBasicExecutionRole itself (its own log writes); the function runs only during deployments.",
    },
    ...['s3:GetBucket*', 's3:GetObject*', 's3:List*', 's3:Abort*', 's3:DeleteObject*'].map((action) => ({
      id: `AwsSolutions-IAM5[Action::${action}]`,
      reason: `CDK's BucketDeployment grants ${action} (its grantRead/grantReadWrite action groups) on the CDK asset bucket and on the dashboard's own bucket only.`,
    })),
    {
      id: 'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:s3:::cdk-hnb659fds-assets-<AWS::AccountId>-<AWS::Region>/*]',
      reason:
        "The deployment copies the dashboard's files from CDK's bootstrap asset bucket; asset object keys are content hashes, unknown before synth.",
    },
    {
      id: `AwsSolutions-IAM5[Resource::<${bucketId}.Arn>/*]`,
      reason:
        "The deployment writes and prunes every file of the dashboard's bucket: the objects are the dashboard's files, named by the build.",
    },
    {
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        'cloudfront:CreateInvalidation and GetInvalidation, which CDK grants on * to invalidate the dashboard distribution after a deployment; CloudFront invalidations take no narrower resource in this grant.',
    },
  );
  Validations.of(handler).acknowledge({
    id: 'AwsSolutions-L1',
    reason:
      "CDK's BucketDeployment handler: CDK pins its Python runtime (it bundles the AWS CLI layer); it runs only during deployments.",
  });
}
