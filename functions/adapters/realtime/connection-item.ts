/**
 * The items of the connections table (generic `pk`/`sk` strings, no indexes, TTL on `expiresAt`):
 * - a connection:     pk `CONN#<connectionId>`                    sk `CONN`
 *                     { userId, isAdmin, connectedAt, expiresAt }
 * - a subscription:   pk `SUB#JOB#<jobId>` or `SUB#USER#<userId>`  sk `CONN#<connectionId>`
 *                     { userId, state, pendingUntil, snapshotSeq?, expiresAt }
 * - its back-reference: pk `CONN#<connectionId>`                  sk `SUB#JOB#<jobId>` or `SUB#USER#<userId>`
 * - a user's connection: pk `UCONN#<userPart>`                  sk `CONN#<connectionId>` { expiresAt }
 *                     (counts the user's open connections for the per-user quota)
 * - a user's watch mark: pk `WATCH#<userPart>`                   sk `WATCH` { until, expiresAt }
 *                     (the user may have subscribers until `until`; the notifier skips users without one)
 * Access patterns, none of them a scan: the subscribers of a change = Query `SUB#JOB#<id>` and
 * `SUB#USER#<owner>`; everything a connection owns (to close it) = Query `CONN#<id>`.
 * Every item expires with API Gateway's 2-hour connection limit.
 */
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { marshall, unmarshall } from '@aws-sdk/util-dynamodb';
import type { Connection, Subscription, SubscriptionTarget } from '../../usecases/realtime/ports.ts';
import { userPart } from '../dynamodb/job-item.ts';

export const CONNECTION_SK = 'CONN';
const JOB_TARGET = 'SUB#JOB#';
const USER_TARGET = 'SUB#USER#';

export const connectionPk = (connectionId: string) => `CONN#${connectionId}`;

export const targetPk = (target: SubscriptionTarget): string =>
  target.kind === 'job' ? `${JOB_TARGET}${target.jobId}` : `${USER_TARGET}${userPart(target.userId)}`;

/**
 * The target a subscription key names. A user target's key holds the user's key part (userPart), not the id,
 * so the id comes from the item (`userId`, the subscriber, who can only subscribe to their own jobs).
 */
export function parseTargetPk(value: string, userId: string): SubscriptionTarget | null {
  if (value.startsWith(JOB_TARGET)) return { kind: 'job', jobId: value.slice(JOB_TARGET.length) };
  if (value.startsWith(USER_TARGET)) return { kind: 'user', userId };
  return null;
}

export const isTargetPk = (value: string): boolean =>
  value.startsWith(JOB_TARGET) || value.startsWith(USER_TARGET);

export const connectionKey = (connectionId: string) => ({
  pk: connectionPk(connectionId),
  sk: CONNECTION_SK,
});
export const userConnectionKey = (userId: string, connectionId: string) => ({
  pk: `UCONN#${userPart(userId)}`,
  sk: connectionPk(connectionId),
});
export const watchKey = (userId: string) => ({ pk: `WATCH#${userPart(userId)}`, sk: 'WATCH' });
export const SUBSCRIPTION_PREFIX = 'SUB#';
export const subscriptionKey = (target: SubscriptionTarget, connectionId: string) => ({
  pk: targetPk(target),
  sk: connectionPk(connectionId),
});
export const backReferenceKey = (target: SubscriptionTarget, connectionId: string) => ({
  pk: connectionPk(connectionId),
  sk: targetPk(target),
});

const options = { removeUndefinedValues: true, convertClassInstanceToMap: false };
export const key = (value: { pk: string; sk: string }) => marshall(value);

export function toConnectionItem(connection: Connection): Record<string, AttributeValue> {
  return marshall({ ...connectionKey(connection.connectionId), ...connection }, options);
}

export function fromConnectionItem(item: Record<string, AttributeValue>): Connection {
  const { connectionId, userId, isAdmin, connectedAt, expiresAt } = unmarshall(item);
  return { connectionId, userId, isAdmin: isAdmin === true, connectedAt, expiresAt };
}

export function toSubscriptionItem(subscription: Subscription): Record<string, AttributeValue> {
  const { target, snapshotSeq, ...rest } = subscription;
  return marshall(
    {
      ...subscriptionKey(target, subscription.connectionId),
      ...rest,
      ...(snapshotSeq !== null && { snapshotSeq }),
    },
    options,
  );
}

export function fromSubscriptionItem(item: Record<string, AttributeValue>): Subscription | null {
  const record = unmarshall(item);
  const target = parseTargetPk(String(record.pk), String(record.userId));
  if (!target) return null;
  return {
    target,
    connectionId: record.connectionId,
    userId: record.userId,
    state: record.state === 'ready' ? 'ready' : 'pending',
    pendingUntil: Number(record.pendingUntil ?? 0),
    snapshotSeq: typeof record.snapshotSeq === 'number' ? record.snapshotSeq : null,
    expiresAt: Number(record.expiresAt),
  };
}

export function toBackReferenceItem(subscription: Subscription): Record<string, AttributeValue> {
  return marshall({
    ...backReferenceKey(subscription.target, subscription.connectionId),
    expiresAt: subscription.expiresAt,
  });
}
