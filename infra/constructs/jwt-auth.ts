/**
 * The token settings of the two authorizers (HTTP and WebSocket). HS256 needs a shared secret in the
 * authorizer's environment (functions/config/config.ts reads JWT_SECRET at start):
 * - `generated` (default): the stack creates a random secret in Secrets Manager and the template carries only
 *   a `{{resolve:secretsmanager:...}}` dynamic reference, resolved by CloudFormation at deploy time;
 * - `secretsManager`: the same with a secret you manage (rotate it, then redeploy);
 * - `plaintext`: the value is written into the template and cdk.out (throw-away stages only).
 * In every case the resolved value is visible in the function configuration to whoever may read it; reading
 * the secret at cold start instead would keep it out of Lambda entirely (a functions/ change, not infra).
 * An SSM SecureString cannot be used: CloudFormation does not resolve `ssm-secure` in Lambda environments.
 */
import { Annotations, type RemovalPolicy, SecretValue, Validations } from 'aws-cdk-lib';
import type { Function as LambdaFunction } from 'aws-cdk-lib/aws-lambda';
import { type ISecret, Secret } from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { envNames } from '../env-names.ts';
import type { AuthSettings } from '../settings.ts';

export interface JwtAuthProps {
  settings: AuthSettings;
  removalPolicy: RemovalPolicy;
}

export class JwtAuth extends Construct {
  /** The secret the stack generated (hs256, `generated` source). */
  public readonly secret?: ISecret;
  /** AUTH_MODE, JWT_* values for the authorizers. */
  public readonly environment: Readonly<Record<string, string>>;

  constructor(scope: Construct, id: string, props: JwtAuthProps) {
    super(scope, id);
    const { settings } = props;
    const environment: Record<string, string> = { [envNames.authMode]: settings.mode };
    if (settings.issuer) environment[envNames.jwtIssuer] = settings.issuer;
    if (settings.audience) environment[envNames.jwtAudience] = settings.audience;

    if (settings.mode === 'jwks') {
      environment[envNames.jwksUrl] = settings.jwksUrl;
    } else if (settings.secret.source === 'plaintext') {
      Annotations.of(this).addWarning(
        'The HS256 secret is a plaintext stack property: it is written into the template. Use jwtSecretName for shared stages.',
      );
      environment[envNames.jwtSecret] = settings.secret.value;
    } else if (settings.secret.source === 'secretsManager') {
      // Name or full ARN; CloudFormation resolves the dynamic reference at deploy time.
      environment[envNames.jwtSecret] = SecretValue.secretsManager(settings.secret.secretId).unsafeUnwrap();
    } else {
      const secret = new Secret(this, 'JwtSecret', {
        description: 'HS256 signing secret of the job queue API tokens',
        generateSecretString: { passwordLength: 64, excludePunctuation: true },
        removalPolicy: props.removalPolicy,
      });
      Validations.of(secret).acknowledge({
        id: 'AwsSolutions-SMG4',
        reason:
          'The signing secret is resolved into the authorizers at deploy time; rotating it invalidates every issued token and needs a redeploy, so it is rotated by hand (update the secret, then cdk deploy).',
      });
      this.secret = secret;
      environment[envNames.jwtSecret] = secret.secretValue.unsafeUnwrap();
    }
    this.environment = environment;
  }

  bind(fn: LambdaFunction): void {
    for (const [name, value] of Object.entries(this.environment)) fn.addEnvironment(name, value);
  }
}
