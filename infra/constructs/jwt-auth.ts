/**
 * The token settings of the two authorizers (HTTP and WebSocket). The HS256 secret never sits in a function's
 * environment: it lives in Secrets Manager, the authorizers get its ARN (JWT_SECRET_ARN) and read access to
 * it alone, and read it once per cold start (functions/wiring/secret.ts). Its source:
 * - `generated` (default): the stack creates a random secret;
 * - `secretsManager`: a secret you manage (by name or ARN; rotate it, and new cold starts pick it up);
 * - `plaintext`: the stack stores the given value in a new secret; the value is in the template and cdk.out
 *   (throw-away stages only).
 * jwks mode passes the key set URL and the claims the tokens must carry (issuer, audience or Cognito's).
 */
import { Annotations, type RemovalPolicy, SecretValue, Validations } from 'aws-cdk-lib';
import type { Function as LambdaFunction } from 'aws-cdk-lib/aws-lambda';
import { type ISecret, Secret } from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { envNames } from '../env-names.ts';
import type { AuthSettings } from '../settings.ts';
import { bindSecret } from './bindings.ts';

export interface JwtAuthProps {
  settings: AuthSettings;
  removalPolicy: RemovalPolicy;
}

const ROTATION_REASON =
  'Rotating the signing secret invalidates every issued token, so it is rotated by hand (update the secret; new authorizer cold starts read the new value).';

export class JwtAuth extends Construct {
  /** The HS256 signing secret (hs256 mode), in Secrets Manager whatever its source. */
  public readonly secret?: ISecret;
  /** The value JWT_SECRET_ARN carries: the secret's ARN, or the name or ARN it was imported by. */
  private readonly secretId?: string;
  /** AUTH_MODE and the JWT_* claim settings for the authorizers (never the secret itself). */
  public readonly environment: Readonly<Record<string, string>>;

  constructor(scope: Construct, id: string, props: JwtAuthProps) {
    super(scope, id);
    const { settings } = props;
    const environment: Record<string, string> = { [envNames.authMode]: settings.mode };
    if (settings.issuer) environment[envNames.jwtIssuer] = settings.issuer;
    if (settings.audience) environment[envNames.jwtAudience] = settings.audience;
    if (settings.maxTokenLifetimeSeconds !== undefined)
      environment[envNames.jwtMaxLifetimeSeconds] = String(settings.maxTokenLifetimeSeconds);

    if (settings.mode === 'jwks') {
      environment[envNames.jwksUrl] = settings.jwksUrl;
      if (settings.cognitoClientId) environment[envNames.jwtCognitoClientId] = settings.cognitoClientId;
      if (settings.tokenUse) environment[envNames.jwtTokenUse] = settings.tokenUse;
      if (settings.acceptAnyIssuerAndAudience) {
        environment[envNames.jwtAcceptAnyIssuerAndAudience] = 'true';
        Annotations.of(this).addWarning(
          'jwtAcceptAnyIssuerAndAudience=true: tokens the key set signs for any client of the identity provider are accepted.',
        );
      }
    } else if (settings.secret.source === 'secretsManager') {
      const { secretId } = settings.secret;
      this.secret = importSecret(this, secretId);
      this.secretId = secretId;
    } else {
      const plaintext = settings.secret.source === 'plaintext' ? settings.secret.value : undefined;
      if (plaintext !== undefined)
        Annotations.of(this).addWarning(
          'The HS256 secret is a plaintext stack property: it is written into the template. Use jwtSecretName for shared stages.',
        );
      const secret = new Secret(this, 'JwtSecret', {
        description: 'HS256 signing secret of the job queue API tokens',
        ...(plaintext === undefined
          ? { generateSecretString: { passwordLength: 64, excludePunctuation: true } }
          : { secretStringValue: SecretValue.unsafePlainText(plaintext) }),
        removalPolicy: props.removalPolicy,
      });
      Validations.of(secret).acknowledge({ id: 'AwsSolutions-SMG4', reason: ROTATION_REASON });
      this.secret = secret;
      this.secretId = secret.secretArn;
    }
    this.environment = environment;
  }

  /** The authorizer's settings, and read access to the signing secret (the only functions that get it). */
  bind(fn: LambdaFunction): void {
    for (const [name, value] of Object.entries(this.environment)) fn.addEnvironment(name, value);
    if (this.secret && this.secretId) bindSecret(fn, this.secret, envNames.jwtSecretArn, this.secretId);
  }
}

/** A secret given by name or by (complete or partial) ARN. */
function importSecret(scope: Construct, secretId: string): ISecret {
  if (!secretId.startsWith('arn:')) return Secret.fromSecretNameV2(scope, 'JwtSecret', secretId);
  return /-[A-Za-z0-9]{6}$/.test(secretId)
    ? Secret.fromSecretCompleteArn(scope, 'JwtSecret', secretId)
    : Secret.fromSecretPartialArn(scope, 'JwtSecret', secretId);
}
