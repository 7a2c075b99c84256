/**
 * The local stack for e2e tests: on the shared emulators, with its own table/queue prefix, fast heartbeats
 * and quiet logs; `tokenFor` signs tokens the stack accepts.
 */
import { inject } from 'vitest';
import { signToken } from '../../functions/adapters/auth/jwt-verifier.ts';
import { type LocalStack, type LocalStackOptions, startLocalStack } from '../../functions/local/stack.ts';
import { uniquePrefix } from './emulators.ts';

/** The stack's HS256 key: tests that sign tokens themselves (e.g. the CLI's local default token) use it. */
export const secret = 'e2e-signing-secret-e2e-signing-secret';

export async function startTestStack(
  name: string,
  options: Pick<
    LocalStackOptions,
    | 'quotas'
    | 'dashboardPort'
    | 'dashboardOidc'
    | 'webhookRetryFirstDelaySeconds'
    | 'maintenanceIntervalMs'
    | 'workerBudgetSeconds'
  > = {},
): Promise<LocalStack> {
  return startLocalStack({
    ...options,
    port: 0,
    wsPort: 0,
    jwtSecret: secret,
    dynamodbEndpoint: inject('dynamodbEndpoint'),
    sqsEndpoint: inject('sqsEndpoint'),
    prefix: uniquePrefix(name),
    // Heartbeats every second: cancellation is noticed fast, and the notifier must keep them off the wire.
    heartbeatSeconds: 1,
    logLevel: 'error',
  });
}

export const tokenFor = (sub: string, admin = false): Promise<string> => signToken(secret, { sub, admin });
