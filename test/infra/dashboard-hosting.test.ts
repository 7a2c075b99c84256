/**
 * The deployed dashboard on the synthesized template: a private bucket read only by the distribution
 * (origin access control), HTTPS only, the security headers, config.json written at deploy with the API URLs
 * (and the OIDC provider when there is one), access logs, the output, and CDK's deployment handler kept to
 * what it needs.
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Match } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { contentSecurityPolicy, withConnectPolicy } from '../../infra/constructs/dashboard-hosting.ts';
import { resolveDashboardSettings } from '../../infra/dashboard-settings.ts';
import { SettingsError } from '../../infra/settings.ts';
import { deploymentRoleId, logicalId, propertiesOf, resourcesOf, synth } from './support/synth.ts';

/** A built dashboard with its own (local) config.json, which the deployment must not upload. */
const assets = mkdtempSync(join(tmpdir(), 'dashboard-assets-'));
writeFileSync(join(assets, 'index.html'), '<!doctype html><title>Dashboard</title>\n');
writeFileSync(join(assets, 'config.json'), '{"apiUrl":"","wsUrl":""}\n');
writeFileSync(join(assets, 'app.js'), 'console.log(1);\n');

const synthesized = synth({ dashboardAssets: assets });
const { stack, template, json } = synthesized;
const hosting = stack.dashboard;
const id = (construct: Parameters<typeof logicalId>[1]) => logicalId(stack, construct);
const bucketId = id(hosting.bucket);
const distributionId = id(hosting.distribution);
const [deploymentId, deployment] = resourcesOf(json, 'Custom::CDKBucketDeployment')[0] ?? [];
const headersConfig = propertiesOf(json, id(hosting.headers)).ResponseHeadersPolicyConfig as {
  SecurityHeadersConfig: Record<string, Record<string, unknown>>;
};
/** A template value as text, each reference written `<LogicalId>` (or `<LogicalId.Attribute>`). */
function text(value: unknown): string {
  if (typeof value === 'string') return value;
  const object = value as Record<string, unknown>;
  if ('Ref' in object) return `<${object.Ref}>`;
  if ('Fn::GetAtt' in object) return `<${(object['Fn::GetAtt'] as string[]).join('.')}>`;
  if ('Fn::Join' in object) {
    const [separator, parts] = object['Fn::Join'] as [string, unknown[]];
    return parts.map(text).join(separator);
  }
  throw new Error(`cannot render ${JSON.stringify(value)}`);
}
const csp = text(headersConfig.SecurityHeadersConfig.ContentSecurityPolicy?.ContentSecurityPolicy);
const distribution = propertiesOf(json, distributionId).DistributionConfig as Record<string, unknown>;

/** The staged files of the deployment's sources, by source, read from the cloud assembly. */
function stagedSources(variant = synthesized): string[][] {
  const outdir = variant.app.synth().directory;
  const resource = resourcesOf(variant.json, 'Custom::CDKBucketDeployment')[0]?.[1];
  const keys = (resource?.Properties?.SourceObjectKeys ?? []) as string[];
  return keys.map((key) => {
    const dir = join(outdir, `asset.${key.replace(/\.zip$/, '')}`);
    expect(existsSync(dir), dir).toBe(true);
    return readdirSync(dir).sort();
  });
}

function configJson(variant = synthesized): Record<string, unknown> {
  const outdir = variant.app.synth().directory;
  const resource = resourcesOf(variant.json, 'Custom::CDKBucketDeployment')[0]?.[1];
  const keys = (resource?.Properties?.SourceObjectKeys ?? []) as string[];
  const last = keys.at(-1)?.replace(/\.zip$/, '');
  return JSON.parse(readFileSync(join(outdir, `asset.${last}`, 'config.json'), 'utf8'));
}

describe('dashboard bucket', () => {
  it('blocks all public access, encrypts, serves no website and logs its access', () => {
    expect(propertiesOf(json, bucketId)).toMatchObject({
      PublicAccessBlockConfiguration: {
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      },
      BucketEncryption: {
        ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }],
      },
      OwnershipControls: { Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }] },
      LoggingConfiguration: { DestinationBucketName: { Ref: id(hosting.logBucket) } },
    });
    expect(propertiesOf(json, bucketId).WebsiteConfiguration).toBeUndefined();
  });

  it('refuses plain HTTP and lets only this distribution read, through origin access control', () => {
    const [, policy] =
      resourcesOf(json, 'AWS::S3::BucketPolicy').find(
        ([, resource]) => JSON.stringify(resource.Properties?.Bucket) === JSON.stringify({ Ref: bucketId }),
      ) ?? [];
    const document = policy?.Properties?.PolicyDocument as
      | { Statement: Record<string, unknown>[] }
      | undefined;
    const statements = document?.Statement ?? [];
    expect(statements).toContainEqual(
      expect.objectContaining({
        Effect: 'Deny',
        Action: 's3:*',
        Condition: { Bool: { 'aws:SecureTransport': 'false' } },
      }),
    );
    const allows = statements.filter((statement) => statement.Effect === 'Allow');
    expect(allows).toHaveLength(1);
    expect(allows[0]).toMatchObject({
      Action: 's3:GetObject',
      Principal: { Service: 'cloudfront.amazonaws.com' },
    });
    expect(JSON.stringify(allows[0]?.Condition)).toContain(`":distribution/",{"Ref":"${distributionId}"}`);
  });

  it('is emptied with a disposable stack and kept, files and all, with a retained one', () => {
    expect(json.Resources[bucketId]?.DeletionPolicy).toBe('Delete');
    expect(deployment?.Properties?.RetainOnDelete).toBe(false);
    const prod = synth({ settings: { stage: 'prod' } });
    expect(prod.json.Resources[logicalId(prod.stack, prod.stack.dashboard.bucket)]?.DeletionPolicy).toBe(
      'Retain',
    );
    expect(resourcesOf(prod.json, 'Custom::CDKBucketDeployment')[0]?.[1].Properties?.RetainOnDelete).toBe(
      true,
    );
  });
});

describe('distribution', () => {
  it('reads the bucket through origin access control (SigV4, always signed), not a public endpoint', () => {
    template.hasResourceProperties('AWS::CloudFront::OriginAccessControl', {
      OriginAccessControlConfig: Match.objectLike({
        OriginAccessControlOriginType: 's3',
        SigningBehavior: 'always',
        SigningProtocol: 'sigv4',
      }),
    });
    expect(distribution.Origins).toEqual([
      expect.objectContaining({
        DomainName: { 'Fn::GetAtt': [bucketId, 'RegionalDomainName'] },
        OriginAccessControlId: { 'Fn::GetAtt': [expect.stringMatching(/OriginAccessControl/), 'Id'] },
        S3OriginConfig: { OriginAccessIdentity: '' },
      }),
    ]);
  });

  it('redirects HTTP to HTTPS, serves GET and HEAD only, with the security headers', () => {
    expect(distribution.DefaultCacheBehavior).toMatchObject({
      ViewerProtocolPolicy: 'redirect-to-https',
      AllowedMethods: ['GET', 'HEAD'],
      ResponseHeadersPolicyId: { Ref: id(hosting.headers) },
    });
    expect(distribution.CacheBehaviors).toBeUndefined();
  });

  it('serves the index document at / (the app routes by #/..., so it is the only entry point)', () => {
    expect(distribution.DefaultRootObject).toBe('index.html');
  });

  it('writes its access logs to the log bucket, which expires them after the log retention', () => {
    expect(distribution.Logging).toEqual({
      Bucket: { 'Fn::GetAtt': [id(hosting.logBucket), 'RegionalDomainName'] },
      Prefix: 'cloudfront/',
    });
    const logBucket = json.Resources[id(hosting.logBucket)];
    expect(logBucket?.Properties).toMatchObject({
      LifecycleConfiguration: { Rules: [{ ExpirationInDays: 7, Status: 'Enabled' }] },
      PublicAccessBlockConfiguration: { BlockPublicAcls: true, RestrictPublicBuckets: true },
    });
    expect(logBucket?.DeletionPolicy).toBe('Retain');
  });

  it('outputs DashboardUrl', () => {
    expect(json.Outputs?.DashboardUrl?.Value).toEqual({
      'Fn::Join': ['', ['https://', { 'Fn::GetAtt': [distributionId, 'DomainName'] }, '/']],
    });
  });
});

describe('security headers', () => {
  const security = headersConfig.SecurityHeadersConfig;

  it('sends HSTS for two years, frame denial, nosniff and no referrer, overriding the origin', () => {
    expect(security.StrictTransportSecurity).toEqual({
      AccessControlMaxAgeSec: 63_072_000,
      IncludeSubdomains: true,
      Override: true,
    });
    expect(security.FrameOptions).toEqual({ FrameOption: 'DENY', Override: true });
    expect(security.ContentTypeOptions).toEqual({ Override: true });
    expect(security.ReferrerPolicy).toEqual({ ReferrerPolicy: 'no-referrer', Override: true });
    expect(security.ContentSecurityPolicy?.Override).toBe(true);
  });

  it('allows scripts and styles from the site only, and no framing (CSP)', () => {
    for (const directive of [
      "default-src 'none'",
      "script-src 'self';",
      "style-src 'self';",
      "frame-ancestors 'none'",
      "base-uri 'none'",
      "form-action 'none'",
    ])
      expect(csp).toContain(directive);
    expect(csp).not.toMatch(/unsafe-inline|unsafe-eval/);
  });

  it('lets the page call the WebSocket API it is configured with and HTTP APIs of its region', () => {
    const webSocketApi = id(stack.webSocket.api);
    expect(csp).toContain(
      `; connect-src 'self' https://*.execute-api.<AWS::Region>.<AWS::URLSuffix> wss://<${webSocketApi}>.execute-api.<AWS::Region>.<AWS::URLSuffix> https://*.s3.<AWS::Region>.<AWS::URLSuffix>;`,
    );
  });

  it('lists the connect sources it is given, after the site itself', () => {
    expect(contentSecurityPolicy(['https://a.example', 'wss://b.example'])).toContain(
      "connect-src 'self' https://a.example wss://b.example;",
    );
  });
});

describe('index.html', () => {
  it("carries a second CSP naming exactly the two APIs and the payload bucket, written at deploy (no cycle with the API's CORS)", () => {
    const outdir = synthesized.app.synth().directory;
    const keys = (deployment?.Properties?.SourceObjectKeys ?? []) as string[];
    const html = readFileSync(join(outdir, `asset.${keys[1]?.replace(/\.zip$/, '')}`, 'index.html'), 'utf8');
    const allMarkers = (deployment?.Properties?.SourceMarkers ?? []) as Record<string, unknown>[];
    const markers = allMarkers[1] ?? {};
    const resolved = html.replace(/<<marker:0xbaba:\d+>>/g, (marker) => text(markers[marker]));
    const suffix = 'execute-api.<AWS::Region>.<AWS::URLSuffix>';
    expect(resolved).toContain(
      `<meta http-equiv="Content-Security-Policy" content="connect-src 'self' https://<${id(stack.httpApi.api)}>.${suffix} wss://<${id(stack.webSocket.api)}>.${suffix} https://<${id(stack.payloads.bucket)}.RegionalDomainName>">`,
    );
    expect(resolved.indexOf('Content-Security-Policy')).toBeLessThan(resolved.indexOf('<title>'));
  });

  it('puts the policy first in the head, and leaves the page alone without sources', () => {
    const page = '<!doctype html>\n<html><head>\n<meta charset="utf-8">\n<title>x</title>';
    expect(withConnectPolicy(page, ['https://a.example'])).toBe(
      `<!doctype html>\n<html><head>\n<meta charset="utf-8">\n<meta http-equiv="Content-Security-Policy" content="connect-src 'self' https://a.example">\n<title>x</title>`,
    );
    expect(withConnectPolicy(page, [])).toBe(page);
  });
});

describe('config.json', () => {
  it('is written at deploy time with the HTTP and WebSocket API URLs', () => {
    const config = configJson();
    expect(Object.keys(config).sort()).toEqual(['apiUrl', 'wsUrl']);
    const allMarkers = deployment?.Properties?.SourceMarkers as Record<string, unknown>[] | undefined;
    const markers = allMarkers?.at(-1) ?? {};
    const resolve = (value: unknown) =>
      String(value).replace(/<<marker:0xbaba:\d+>>/g, (marker) => text(markers[marker]));
    expect(resolve(config.apiUrl)).toBe(
      `https://<${id(stack.httpApi.api)}>.execute-api.<AWS::Region>.<AWS::URLSuffix>/`,
    );
    expect(resolve(config.wsUrl)).toBe(
      `wss://<${id(stack.webSocket.api)}>.execute-api.<AWS::Region>.<AWS::URLSuffix>/dev`,
    );
  });

  it("uploads the built files without the build's own config.json, then the deployed one", () => {
    expect(stagedSources()).toEqual([['app.js'], ['index.html'], ['config.json']]);
  });

  it('invalidates the distribution after each deployment; browsers revalidate every file', () => {
    expect(deployment?.Properties).toMatchObject({
      DestinationBucketName: { Ref: bucketId },
      DistributionId: { Ref: distributionId },
      DistributionPaths: ['/*'],
      Prune: true,
      SystemMetadata: { 'cache-control': 'public, max-age=0, s-maxage=31536000' },
    });
  });

  it('deploys config.json alone, and says so, when the dashboard was not built', () => {
    const bare = synth();
    expect(stagedSources(bare)).toEqual([['config.json']]);
    bare.annotations.hasInfo(
      '/Test/Dashboard',
      Match.stringLikeRegexp("dashboard's files were not built.*only config.json"),
    );
  });
});

describe('OIDC sign-in', () => {
  const issuer = 'https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_abc';
  const cognitoApi = {
    mode: 'jwks',
    jwksUrl: `${issuer}/.well-known/jwks.json`,
    issuer,
    cognitoClientId: 'dashboardclient',
    tokenUse: 'access',
  } as const;
  const oidc = synth({
    settings: {
      auth: cognitoApi,
      dashboard: {
        oidc: {
          issuer: 'https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_abc/',
          clientId: 'dashboardclient',
          connectOrigins: ['https://jobs.auth.eu-west-1.amazoncognito.com'],
        },
      },
    },
  });

  it('writes the issuer, the client id and the scopes into config.json', () => {
    expect(configJson(oidc).oidc).toEqual({
      issuer: 'https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_abc',
      clientId: 'dashboardclient',
      scopes: 'openid',
      tokenUse: 'access',
    });
  });

  it("refuses a provider whose tokens the HTTP API's authorizer would not accept", () => {
    const dashboard = { oidc: { issuer, clientId: 'dashboardclient' } };
    expect(() => synth({ settings: { dashboard } })).toThrow(/authMode jwks/);
    expect(() =>
      synth({ settings: { dashboard, auth: { ...cognitoApi, issuer: 'https://other.example.com' } } }),
    ).toThrow(/not the API's jwtIssuer/);
    expect(() =>
      synth({ settings: { dashboard, auth: { ...cognitoApi, cognitoClientId: 'someoneelse' } } }),
    ).toThrow(/neither the API's jwtAudience/);
  });

  it("lets the page reach the issuer's origin and the extra sign-in origins", () => {
    const [, headers] = resourcesOf(oidc.json, 'AWS::CloudFront::ResponseHeadersPolicy')[0] ?? [];
    const config = headers?.Properties?.ResponseHeadersPolicyConfig as typeof headersConfig;
    expect(text(config.SecurityHeadersConfig.ContentSecurityPolicy?.ContentSecurityPolicy)).toMatch(
      /connect-src [^;]* https:\/\/cognito-idp\.eu-west-1\.amazonaws\.com https:\/\/jobs\.auth\.eu-west-1\.amazoncognito\.com;/,
    );
  });

  it('rejects an issuer that is not https, scopes without openid, and bad extra origins', () => {
    const valid = { issuer: 'https://idp.example.com', clientId: 'client' };
    expect(() => resolveDashboardSettings({ oidc: { ...valid, issuer: 'http://idp.example.com' } })).toThrow(
      SettingsError,
    );
    expect(() => resolveDashboardSettings({ oidc: { ...valid, scopes: 'profile email' } })).toThrow(
      /must include openid/,
    );
    expect(() =>
      resolveDashboardSettings({ oidc: { ...valid, connectOrigins: ['https://idp.example.com/path'] } }),
    ).toThrow(SettingsError);
    expect(resolveDashboardSettings({ oidc: { ...valid, scopes: 'openid email' } }).oidc?.scopes).toBe(
      'openid email',
    );
  });
});

describe("CDK's deployment handler", () => {
  const roleId = deploymentRoleId(stack);
  const statements = resourcesOf(json, 'AWS::IAM::Policy')
    .filter(([, policy]) => JSON.stringify(policy.Properties?.Roles) === JSON.stringify([{ Ref: roleId }]))
    .flatMap(([, policy]) => {
      const document = policy.Properties?.PolicyDocument as
        | { Statement: { Action: string | string[]; Resource: unknown }[] }
        | undefined;
      return document?.Statement ?? [];
    });

  it('touches only the asset bucket, the dashboard bucket and the distribution invalidations', () => {
    for (const statement of statements) {
      const actions = [statement.Action].flat();
      const resources = JSON.stringify(statement.Resource);
      if (actions.every((action) => action.startsWith('cloudfront:')))
        expect(actions.sort()).toEqual(['cloudfront:CreateInvalidation', 'cloudfront:GetInvalidation']);
      else {
        expect(
          actions.every((action) => action.startsWith('s3:')),
          actions.join(),
        ).toBe(true);
        expect(resources).toMatch(new RegExp(`cdk-hnb659fds-assets|"${bucketId}"`));
        if (actions.some((action) => /Put|Delete/.test(action))) expect(resources).toContain(`"${bucketId}"`);
      }
    }
    expect(statements.length).toBeGreaterThan(0);
  });

  it('logs to its own log group with the log retention', () => {
    const [, fn] =
      resourcesOf(json, 'AWS::Lambda::Function').find(
        ([, resource]) =>
          JSON.stringify(resource.Properties?.Role) === JSON.stringify({ 'Fn::GetAtt': [roleId, 'Arn'] }),
      ) ?? [];
    const logging = fn?.Properties?.LoggingConfig as { LogGroup: { Ref: string } } | undefined;
    const logGroup = logging?.LogGroup.Ref ?? 'none';
    expect(json.Resources[logGroup]?.Properties?.RetentionInDays).toBe(7);
    expect(deploymentId).toBeDefined();
  });
});
