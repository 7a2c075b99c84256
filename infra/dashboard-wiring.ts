import { Annotations, Aws } from 'aws-cdk-lib';
import { DashboardHosting } from './constructs/dashboard-hosting.ts';
import type { JobQueueStack } from './job-queue-stack.ts';

/**
 * The dashboard, allowed by the HTTP API's CORS. Its CSP header names the WebSocket API exactly but the
 * HTTP API only as `https://*.execute-api.<region>.<suffix>`: the API's CORS names the distribution's
 * domain, and a header policy naming the API back would be a dependency cycle CloudFormation refuses.
 * index.html, written at deploy (after both exist), carries a second policy naming both APIs and the payload
 * bucket exactly.
 */
export function addDashboard(
  stack: JobQueueStack,
  { assetsDir, payloadBucketDomain }: { assetsDir: string | undefined; payloadBucketDomain: string },
): DashboardHosting {
  const { oidc } = stack.settings.dashboard;
  const executeApi = `execute-api.${Aws.REGION}.${Aws.URL_SUFFIX}`;
  // The identity provider's origins, which sign-in calls (none without OIDC).
  const providerOrigins = oidc ? [new URL(oidc.issuer).origin, ...oidc.connectOrigins] : [];
  const dashboard = new DashboardHosting(stack, 'Dashboard', {
    assetsDir,
    config: {
      apiUrl: stack.httpApi.url,
      wsUrl: stack.webSocket.url,
      ...(oidc && {
        oidc: {
          issuer: oidc.issuer,
          clientId: oidc.clientId,
          scopes: oidc.scopes,
          // The token the HTTP API's authorizer accepts: Cognito's access or ID token, else the ID token
          // (its audience is the client id).
          tokenUse: (stack.settings.auth.mode === 'jwks' && stack.settings.auth.tokenUse) || 'id',
        },
      }),
    },
    connectSources: [
      `https://*.${executeApi}`,
      `wss://${stack.webSocket.api.apiId}.${executeApi}`,
      // Large params and results: the API redirects to a presigned URL of the payload bucket.
      `https://*.s3.${Aws.REGION}.${Aws.URL_SUFFIX}`,
      ...providerOrigins,
    ],
    pinnedConnectSources: [
      `https://${stack.httpApi.api.apiId}.${executeApi}`,
      `wss://${stack.webSocket.api.apiId}.${executeApi}`,
      // The presigned URLs of large params and results (virtual-hosted style: the bucket's regional name).
      `https://${payloadBucketDomain}`,
      ...providerOrigins,
    ],
    removalPolicy: stack.settings.removalPolicy,
    logRetention: stack.settings.logRetention,
  });
  stack.httpApi.allowOrigin(dashboard.origin);
  if (!assetsDir)
    Annotations.of(dashboard).addInfo(
      "The dashboard's files were not built (infra/dashboard-assets.ts found no dashboard/build.ts): DashboardUrl serves only config.json.",
    );
  return dashboard;
}
