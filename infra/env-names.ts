/**
 * The environment variable names the stack sets, taken from the functions' own config (`ENV` and
 * `REALTIME_ENV` in functions/wiring/) so a rename there cannot silently break a deployment.
 */

import type { Tier } from '../functions/core/tiers.ts';
import { ENV } from '../functions/wiring/config.ts';
import { REALTIME_ENV } from '../functions/wiring/realtime-config.ts';
import type { TableDefinition } from './resources.ts';

const declared: Record<string, unknown> = { ...ENV, ...REALTIME_ENV };
const lowerFirst = (text: string) => text.charAt(0).toLowerCase() + text.slice(1);
const upperSnake = (text: string) => text.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toUpperCase();

/**
 * `Jobs` -> ENV.jobsTable (JOBS_TABLE), `Connections` -> REALTIME_ENV.connectionsTable (CONNECTIONS_TABLE);
 * a table the config does not name yet gets `<ID>_TABLE`.
 */
export function tableEnvName(definition: Pick<TableDefinition, 'id'>): string {
  const name = declared[`${lowerFirst(definition.id)}Table`];
  return typeof name === 'string' ? name : `${upperSnake(definition.id)}_TABLE`;
}

export const queueUrlEnvName = (tier: Tier): string => ENV.queueUrl[tier];
export const deadLetterQueueUrlEnvName = (tier: Tier): string => ENV.deadLetterQueueUrl[tier];

export const envNames = {
  retentionDays: ENV.retentionDays,
  tierMaxConcurrency: ENV.tierMaxConcurrency,
  authMode: ENV.authMode,
  jwtSecretArn: ENV.jwtSecretArn,
  jwtCognitoClientId: ENV.jwtCognitoClientId,
  jwtTokenUse: ENV.jwtTokenUse,
  jwtAcceptAnyIssuerAndAudience: ENV.jwtAcceptAnyIssuerAndAudience,
  jwtMaxLifetimeSeconds: ENV.jwtMaxLifetimeSeconds,
  cursorSecretArn: ENV.cursorSecretArn,
  jwksUrl: ENV.jwksUrl,
  jwtIssuer: ENV.jwtIssuer,
  jwtAudience: ENV.jwtAudience,
  wsManagementEndpoint: REALTIME_ENV.wsManagementEndpoint,
  payloadBucket: ENV.payloadBucket,
  /** Read by functions/adapters/logger.ts and functions/wiring/logger.ts. */
  logLevel: 'LOG_LEVEL',
  serviceName: 'SERVICE_NAME',
} as const;
