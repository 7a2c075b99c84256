/**
 * The deployed dashboard: its static files in a private S3 bucket, served only through CloudFront (origin
 * access control; no website hosting, no public access), HTTPS only, with security headers on every
 * response. The app routes with `#/...`, so the index document is the only entry point it needs.
 * `config.json` is written at deploy time with the API URLs (and the OIDC provider, when there is one), and
 * so is `index.html`: it carries a second CSP (a `<meta>` policy, enforced together with the header's) whose
 * connect-src names the two APIs exactly; see `pinnedConnectSources`.
 * Access logs of CloudFront and of the bucket go to one log bucket, expired after the log retention.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import {
  AllowedMethods,
  CachePolicy,
  Distribution,
  HeadersFrameOption,
  HeadersReferrerPolicy,
  HttpVersion,
  PriceClass,
  ResponseHeadersPolicy,
  ViewerProtocolPolicy,
} from 'aws-cdk-lib/aws-cloudfront';
import { S3BucketOrigin } from 'aws-cdk-lib/aws-cloudfront-origins';
import { LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import { BlockPublicAccess, Bucket, BucketEncryption, ObjectOwnership } from 'aws-cdk-lib/aws-s3';
import { BucketDeployment, CacheControl, type ISource, Source } from 'aws-cdk-lib/aws-s3-deployment';
import { Construct } from 'constructs';
import { acknowledgeDeploymentFindings, acknowledgeDistributionFindings } from './dashboard-nag.ts';

/** What the app reads from `/config.json` at start. */
export interface DashboardConfig {
  apiUrl: string;
  wsUrl: string;
  oidc?: { issuer: string; clientId: string; scopes: string; tokenUse: 'id' | 'access' };
}

export interface DashboardHostingProps {
  /** The built app (index.html and its files), or undefined: then only config.json is deployed. */
  assetsDir: string | undefined;
  /** Written into config.json. */
  config: DashboardConfig;
  /** Sources the CSP's connect-src allows besides 'self': the APIs and the identity provider. */
  connectSources: string[];
  /**
   * The exact sources (deploy-time values allowed) of the `<meta>` CSP written into index.html at deploy.
   * The response header cannot name the HTTP API (the API's CORS names the distribution: a cycle), so it
   * allows the region's execute-api hosts; browsers enforce both policies, so only these are reachable.
   */
  pinnedConnectSources?: string[];
  removalPolicy: RemovalPolicy;
  logRetention: RetentionDays;
}

/** Two years, as HSTS preload lists ask; the *.cloudfront.net name has no subdomains of ours. */
const HSTS_MAX_AGE = Duration.days(730);

export function contentSecurityPolicy(connectSources: string[]): string {
  return [
    "default-src 'none'",
    "script-src 'self'",
    "style-src 'self'",
    // data: for the inline favicon the app declares (`<link rel="icon" href="data:,">`).
    "img-src 'self' data:",
    "font-src 'self'",
    "manifest-src 'self'",
    `connect-src ${["'self'", ...connectSources].join(' ')}`,
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join('; ');
}

/**
 * index.html with a `<meta>` CSP whose connect-src is 'self' and `sources`, placed first in the head (a
 * meta policy applies to what comes after it); unchanged without sources.
 */
export function withConnectPolicy(html: string, sources: string[] | undefined): string {
  if (!sources?.length) return html;
  const meta = `<meta http-equiv="Content-Security-Policy" content="connect-src ${["'self'", ...sources].join(' ')}">`;
  // After the charset declaration if any (it must stay in the first bytes), else the head, else the doctype.
  const anchor = [/<meta charset[^>]*>/i, /<head[^>]*>/i, /<!doctype html>/i]
    .map((pattern) => pattern.exec(html))
    .find((match) => match !== null);
  if (!anchor) return `${meta}\n${html}`;
  const at = anchor.index + anchor[0].length;
  return `${html.slice(0, at)}\n${meta}${html.slice(at)}`;
}

export class DashboardHosting extends Construct {
  public readonly bucket: Bucket;
  public readonly logBucket: Bucket;
  public readonly distribution: Distribution;
  public readonly headers: ResponseHeadersPolicy;
  public readonly deployment: BucketDeployment;

  constructor(scope: Construct, id: string, props: DashboardHostingProps) {
    super(scope, id);

    this.logBucket = new Bucket(this, 'AccessLogs', {
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      // CloudFront standard logs are written with an ACL: the bucket must accept them (SSE-S3 only, no KMS).
      objectOwnership: ObjectOwnership.BUCKET_OWNER_PREFERRED,
      encryption: BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      lifecycleRules: [{ expiration: Duration.days(props.logRetention) }],
      // Logs are records: kept when the stack goes (they expire on their own), so a delete never fails on them.
      removalPolicy: RemovalPolicy.RETAIN,
    });

    this.bucket = new Bucket(this, 'Files', {
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      objectOwnership: ObjectOwnership.BUCKET_OWNER_ENFORCED,
      encryption: BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      serverAccessLogsBucket: this.logBucket,
      serverAccessLogsPrefix: 'bucket/',
      // Emptied by the deployment below when the stack is deleted (retainOnDelete false), unless retained.
      removalPolicy: props.removalPolicy,
    });

    this.headers = new ResponseHeadersPolicy(this, 'SecurityHeaders', {
      comment: 'Job queue dashboard: CSP, HSTS, frame denial, nosniff, referrer policy',
      securityHeadersBehavior: {
        contentSecurityPolicy: {
          contentSecurityPolicy: contentSecurityPolicy(props.connectSources),
          override: true,
        },
        strictTransportSecurity: {
          accessControlMaxAge: HSTS_MAX_AGE,
          includeSubdomains: true,
          override: true,
        },
        frameOptions: { frameOption: HeadersFrameOption.DENY, override: true },
        contentTypeOptions: { override: true },
        referrerPolicy: { referrerPolicy: HeadersReferrerPolicy.NO_REFERRER, override: true },
      },
    });

    this.distribution = new Distribution(this, 'Distribution', {
      comment: 'Job queue dashboard',
      defaultRootObject: 'index.html',
      defaultBehavior: {
        origin: S3BucketOrigin.withOriginAccessControl(this.bucket),
        viewerProtocolPolicy: ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
        allowedMethods: AllowedMethods.ALLOW_GET_HEAD,
        cachePolicy: CachePolicy.CACHING_OPTIMIZED,
        responseHeadersPolicy: this.headers,
        compress: true,
      },
      httpVersion: HttpVersion.HTTP2_AND_3,
      // North America and Europe edges only: the cheapest class; a dashboard needs no global edge.
      priceClass: PriceClass.PRICE_CLASS_100,
      enableLogging: true,
      logBucket: this.logBucket,
      logFilePrefix: 'cloudfront/',
    });

    const { assetsDir } = props;
    const sources: ISource[] = [
      // The build may carry a local config.json: the deployed one is written below, never taken from it;
      // index.html is written below too, with its connect policy.
      ...(assetsDir ? [Source.asset(assetsDir, { exclude: ['config.json', 'index.html'] })] : []),
      ...(assetsDir
        ? [
            Source.data(
              'index.html',
              withConnectPolicy(
                readFileSync(join(assetsDir, 'index.html'), 'utf8'),
                props.pinnedConnectSources,
              ),
            ),
          ]
        : []),
      Source.jsonData('config.json', props.config),
    ];
    this.deployment = new BucketDeployment(this, 'Deployment', {
      sources,
      destinationBucket: this.bucket,
      // Browsers revalidate every file (a 304 from the edge); the edge keeps them until the next deployment
      // invalidates them all, so a new config.json or app version is live as soon as the deploy finishes.
      cacheControl: [
        CacheControl.setPublic(),
        CacheControl.maxAge(Duration.seconds(0)),
        CacheControl.sMaxAge(Duration.days(365)),
      ],
      distribution: this.distribution,
      distributionPaths: ['/*'],
      retainOnDelete: props.removalPolicy === RemovalPolicy.RETAIN,
      memoryLimit: 256,
      logGroup: new LogGroup(this, 'DeploymentLogs', {
        retention: props.logRetention,
        removalPolicy: props.removalPolicy,
      }),
    });

    acknowledgeDistributionFindings(this.distribution);
    acknowledgeDeploymentFindings(this.deployment, this.bucket);
  }

  /** `https://<id>.cloudfront.net`: the origin the HTTP API's CORS allows. */
  get origin(): string {
    return `https://${this.distribution.distributionDomainName}`;
  }

  /** The dashboard's address, ending with a slash. */
  get url(): string {
    return `${this.origin}/`;
  }
}
