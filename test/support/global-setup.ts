import type { TestProject } from 'vitest/node';
import { startDynamoDbLocal } from '../../functions/local/emulators/dynamodb-local.ts';
import { startSqsEmulator } from '../../functions/local/emulators/sqs-emulator.ts';

/**
 * One DynamoDB Local (in memory) and one SQS emulator for the whole run. Test files isolate themselves
 * with `uniquePrefix()` table/queue names instead of getting emulators of their own: a JVM per file
 * would cost seconds each.
 *
 * The integration and e2e projects both list this file, and vitest runs it once per project; the
 * emulators are shared through the process-wide registry below so a full run still starts one pair.
 */

interface Emulators {
  dynamodbEndpoint: string;
  sqsEndpoint: string;
  stop(): Promise<void>;
}

interface Shared {
  users: number;
  emulators: Promise<Emulators>;
}

const REGISTRY = Symbol.for('tiered-job-queue.test-emulators');
const registry = globalThis as typeof globalThis & { [REGISTRY]?: Shared };

async function startEmulators(): Promise<Emulators> {
  const [dynamo, sqs] = await Promise.all([startDynamoDbLocal({}), startSqsEmulator({})]);
  return {
    dynamodbEndpoint: dynamo.endpoint,
    sqsEndpoint: sqs.endpoint,
    stop: async () => {
      await Promise.all([dynamo.stop(), sqs.stop()]);
    },
  };
}

export default async function setup({ provide }: TestProject): Promise<() => Promise<void>> {
  const shared = registry[REGISTRY] ?? { users: 0, emulators: startEmulators() };
  registry[REGISTRY] = shared;
  shared.users++;
  const { dynamodbEndpoint, sqsEndpoint } = await shared.emulators;
  provide('dynamodbEndpoint', dynamodbEndpoint);
  provide('sqsEndpoint', sqsEndpoint);

  return async () => {
    shared.users--;
    if (shared.users > 0) return;
    delete registry[REGISTRY];
    await (await shared.emulators).stop();
  };
}
