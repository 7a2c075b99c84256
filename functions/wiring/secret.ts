/**
 * Secrets a function reads once per cold start, never from its own environment on AWS:
 * - deployed: `<NAME>_ARN` names a Secrets Manager secret (ARN or name) whose whole SecretString is the value;
 *   the function's role may read exactly that secret (see infra/constructs/bindings.ts `bindSecret`);
 * - locally and in tests: the plain variable `<NAME>` holds the value.
 * The value is cached for the life of the execution environment: a rotated secret reaches new cold starts.
 */
import { ConfigError, optionalEnv } from './env.ts';

/** Reads one secret by id (the Secrets Manager adapter in production, a fake in tests). */
export type SecretFetcher = (secretId: string) => Promise<string>;

export class SecretUnavailableError extends Error {
  override readonly name = 'SecretUnavailableError';
}

/** `JWT_SECRET` -> `JWT_SECRET_ARN`. */
export const secretArnEnvName = (name: string): string => `${name}_ARN`;

const cache = new Map<string, Promise<string>>();

/** GetSecretValue through the AWS SDK, loaded only when a secret really comes from Secrets Manager. */
export const secretsManagerFetcher: SecretFetcher = async (secretId) => {
  const { SecretsManagerClient, GetSecretValueCommand } = await import('@aws-sdk/client-secrets-manager');
  const client = new SecretsManagerClient({});
  const { SecretString } = await client.send(new GetSecretValueCommand({ SecretId: secretId }));
  if (!SecretString) throw new SecretUnavailableError(`secret ${secretId} has no SecretString`);
  return SecretString;
};

/**
 * The secret called `name` (e.g. `JWT_SECRET`): from Secrets Manager when `<name>_ARN` is set, else from the
 * plain variable `<name>`; neither set is a ConfigError. Concurrent and later calls share one read.
 */
export function readSecret(
  name: string,
  env: NodeJS.ProcessEnv = process.env,
  fetchSecret: SecretFetcher = secretsManagerFetcher,
): Promise<string> {
  const secretId = optionalEnv(secretArnEnvName(name), env);
  if (secretId === undefined) {
    const value = optionalEnv(name, env);
    if (value === undefined)
      return Promise.reject(
        new ConfigError(`environment variable ${secretArnEnvName(name)} (or ${name} locally) is required`),
      );
    return Promise.resolve(value);
  }
  const cached = cache.get(secretId);
  if (cached) return cached;
  const read = fetchSecret(secretId).catch((error: unknown) => {
    cache.delete(secretId); // a failed read is retried by the next call, not cached
    throw error;
  });
  cache.set(secretId, read);
  return read;
}
