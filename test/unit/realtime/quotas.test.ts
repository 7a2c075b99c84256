/** Per-user WebSocket quotas: connections per user (handshake refused) and subscriptions per connection. */
import { describe, expect, it, vi } from 'vitest';
import type { WsEvent } from '../../../functions/adapters/realtime/websocket-event.ts';
import { TestClock } from '../../../functions/core/clock.ts';
import { createConnectHandler } from '../../../functions/handlers/ws/connect.ts';
import type { Caller } from '../../../functions/usecases/realtime/connections.ts';
import {
  type SubscribeDeps,
  subscribeToAll,
  subscribeToJob,
} from '../../../functions/usecases/realtime/subscribe.ts';
import { aJob } from '../../support/job-factory.ts';
import { silentLogger } from '../../support/memory-store.ts';
import { aConnection, MemoryConnectionStore, RecordingPoster } from './fakes.ts';

// The handler module reads its environment at import.
vi.hoisted(() => {
  Object.assign(process.env, {
    AWS_REGION: 'us-east-1',
    CONNECTIONS_TABLE: 'unit-connections',
  });
});

const CONNECTED_AT = Date.parse('2026-01-01T00:00:00.000Z');

const connectEvent = (connectionId: string, userId: string) =>
  ({
    requestContext: {
      routeKey: '$connect',
      connectionId,
      connectedAt: CONNECTED_AT,
      authorizer: { principalId: userId, userId, isAdmin: 'false' },
    },
  }) as unknown as WsEvent;

describe('connections per user', () => {
  it('refuses the handshake with 429 once the user has maxConnections open, and admits again after a close', async () => {
    const connections = new MemoryConnectionStore();
    const connect = createConnectHandler({
      connections,
      logger: silentLogger,
      clock: new TestClock('2026-01-01T00:10:00.000Z'),
      maxConnections: 2,
    });
    expect(await connect(connectEvent('a1', 'alice'))).toEqual({ statusCode: 200 });
    expect(await connect(connectEvent('a2', 'alice'))).toEqual({ statusCode: 200 });
    expect(await connect(connectEvent('a3', 'alice'))).toEqual({ statusCode: 429 });
    expect(connections.connections.has('a3')).toBe(false);
    // Another user has their own allowance.
    expect(await connect(connectEvent('b1', 'bob'))).toEqual({ statusCode: 200 });
    await connections.close('a1');
    expect(await connect(connectEvent('a4', 'alice'))).toEqual({ statusCode: 200 });
  });

  it('does not count connections that have expired (their $disconnect never came)', async () => {
    const connections = new MemoryConnectionStore();
    await connections.open(
      aConnection({ connectionId: 'old', userId: 'alice', expiresAt: CONNECTED_AT / 1000 + 60 }),
    );
    const connect = createConnectHandler({
      connections,
      logger: silentLogger,
      clock: new TestClock('2026-01-01T00:10:00.000Z'),
      maxConnections: 1,
    });
    expect(await connect(connectEvent('new', 'alice'))).toEqual({ statusCode: 200 });
  });
});

describe('subscriptions per connection', () => {
  const caller: Caller = {
    connectionId: 'conn-1',
    userId: 'user-1',
    isAdmin: false,
    connectedAt: CONNECTED_AT,
  };

  async function setup(max: number) {
    const connections = new MemoryConnectionStore();
    await connections.open(aConnection());
    const poster = new RecordingPoster();
    const jobs = new Map(['j1', 'j2', 'j3'].map((id) => [id, aJob({ id, userId: 'user-1' })]));
    const deps: SubscribeDeps = {
      connections,
      poster,
      clock: new TestClock('2026-01-01T00:10:00.000Z'),
      pendingLeaseMs: 10_000,
      jobs: { get: async (id) => jobs.get(id) ?? null },
      maxSubscriptionsPerConnection: max,
    };
    return { connections, poster, deps };
  }

  it('answers a quota_exceeded error frame past the cap and subscribes to nothing more', async () => {
    const { connections, poster, deps } = await setup(2);
    await subscribeToJob(deps, caller, 'j1');
    await subscribeToAll(deps, caller);
    await subscribeToJob(deps, caller, 'j2');
    const last = poster.framesTo('conn-1').at(-1);
    expect(last).toMatchObject({ type: 'error', code: 'quota_exceeded' });
    expect(String(last?.message)).toContain('2 subscriptions');
    expect(connections.all().map((s) => s.target)).toHaveLength(2);
  });

  it('lets a connection at the cap re-subscribe to what it already follows', async () => {
    const { poster, deps } = await setup(1);
    await subscribeToJob(deps, caller, 'j1');
    await subscribeToJob(deps, caller, 'j1');
    expect(poster.framesTo('conn-1').map((frame) => frame.type)).toEqual(['job.snapshot', 'job.snapshot']);
  });
});
