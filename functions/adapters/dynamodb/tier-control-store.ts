/**
 * The tier states in the jobs table: one item (`pk = CONTROL#tiers`, `sk = TIERS`) with an attribute per
 * tier, so every reader gets all four in one strongly consistent GetItem. It has no index keys, and the
 * stream consumers' filters (sk = JOB) leave it out.
 */
import { type DynamoDBClient, GetItemCommand, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { marshall, unmarshall } from '@aws-sdk/util-dynamodb';
import {
  ALL_RUNNING,
  type TierControlStore,
  type TierState,
  type TierStates,
} from '../../core/tier-control.ts';
import { TIERS, type Tier } from '../../core/tiers.ts';

export const TIER_CONTROL_KEY = { pk: 'CONTROL#tiers', sk: 'TIERS' };

const pausedAttr = (tier: Tier) => `paused_${tier}`;
const changedAttr = (tier: Tier) => `changedAt_${tier}`;
const resumedAttr = (tier: Tier) => `resumedAt_${tier}`;

export class DynamoTierControlStore implements TierControlStore {
  constructor(
    private readonly client: DynamoDBClient,
    private readonly table: string,
  ) {}

  async read(): Promise<TierStates> {
    const { Item } = await this.client.send(
      new GetItemCommand({ TableName: this.table, Key: marshall(TIER_CONTROL_KEY), ConsistentRead: true }),
    );
    if (!Item) return ALL_RUNNING;
    const item = unmarshall(Item);
    return Object.fromEntries(TIERS.map((tier) => [tier, stateOf(item, tier)])) as TierStates;
  }

  async setPaused(tier: Tier, paused: boolean, at: Date): Promise<TierState> {
    const now = at.toISOString();
    const { Attributes } = await this.client.send(
      new UpdateItemCommand({
        TableName: this.table,
        Key: marshall(TIER_CONTROL_KEY),
        // Resuming stamps resumedAt; pausing keeps the last one.
        UpdateExpression: paused ? 'SET #p = :p, #c = :now' : 'SET #p = :p, #c = :now, #r = :now',
        ExpressionAttributeNames: {
          '#p': pausedAttr(tier),
          '#c': changedAttr(tier),
          ...(!paused && { '#r': resumedAttr(tier) }),
        },
        ExpressionAttributeValues: marshall({ ':p': paused, ':now': now }),
        ReturnValues: 'ALL_NEW',
      }),
    );
    return stateOf(unmarshall(Attributes ?? {}), tier);
  }
}

function stateOf(item: Record<string, unknown>, tier: Tier): TierState {
  const text = (value: unknown) => (typeof value === 'string' ? value : null);
  return {
    paused: item[pausedAttr(tier)] === true,
    changedAt: text(item[changedAttr(tier)]),
    resumedAt: text(item[resumedAttr(tier)]),
  };
}
