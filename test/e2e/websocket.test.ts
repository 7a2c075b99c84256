/**
 * The WebSocket API end to end on the local stack: a real `ws` client connects with its token, subscribes,
 * and sees a job's snapshot and every status and progress change in seq order, driven by the jobs table's
 * stream through the notifier and the management API, exactly as on AWS.
 */
import { QueryCommand, ScanCommand } from '@aws-sdk/client-dynamodb';
import { marshall, unmarshall } from '@aws-sdk/util-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { signToken } from '../../functions/adapters/auth/jwt-verifier.ts';
import type { JobView } from '../../functions/core/job.ts';
import type { LocalStack } from '../../functions/local/stack.ts';
import { dynamoClient } from '../support/emulators.ts';
import { apiClient, eventually } from '../support/http-client.ts';
import { startTestStack, tokenFor } from '../support/local-stack.ts';

let stack: LocalStack;
const dynamo = dynamoClient();
const sockets: WebSocket[] = [];

beforeAll(async () => {
  stack = await startTestStack('ws');
});

afterAll(async () => {
  for (const socket of sockets) socket.terminate();
  await stack?.stop();
  dynamo.destroy();
});

type Frame = { type: string; job?: JobView; code?: string; message?: string; all?: boolean };

interface Client {
  socket: WebSocket;
  frames: Frame[];
  send(message: unknown): void;
  /** Waits for a frame matching `predicate` (among all received so far). */
  waitFor(predicate: (frame: Frame) => boolean, timeoutMs?: number): Promise<Frame>;
}

async function connect(user: string): Promise<Client> {
  const token = await tokenFor(user);
  const socket = new WebSocket(`${stack.wsUrl}/?token=${encodeURIComponent(token)}`);
  sockets.push(socket);
  const frames: Frame[] = [];
  socket.on('message', (data) => frames.push(JSON.parse(data.toString()) as Frame));
  await new Promise<void>((resolve, reject) => {
    socket.once('open', () => resolve());
    socket.once('error', reject);
  });
  return {
    socket,
    frames,
    send: (message) => socket.send(JSON.stringify(message)),
    waitFor: (predicate, timeoutMs = 60_000) => eventually(async () => frames.find(predicate), timeoutMs, 20),
  };
}

function handshakeStatus(query: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(`${stack.wsUrl}/${query}`);
    socket.once('unexpected-response', (_request, response) => {
      resolve(response.statusCode ?? 0);
      socket.terminate();
    });
    socket.once('open', () => reject(new Error('the handshake was accepted')));
    socket.once('error', () => undefined);
  });
}

const http = async (user: string) => apiClient(stack.httpUrl, await tokenFor(user));
const about = (id: string) => (frame: Frame) => frame.job?.id === id;
/** What a client sees of a job, heartbeat and seq aside. */
const visible = ({ heartbeatAt: _h, seq: _s, ...rest }: JobView) => JSON.stringify(rest);

describe('job progress over WebSocket', () => {
  it('sends a snapshot, then every change in seq order until the job completes', async () => {
    const api = await http('ws-alice');
    const { body } = await api.post<{ job: JobView }>('/jobs', {
      type: 'demo',
      command: 'sleep',
      params: { seconds: 2, steps: 4 },
    });
    const id = body.job.id;
    const client = await connect('ws-alice');
    client.send({ action: 'subscribe', jobId: id });

    await client.waitFor((frame) => frame.job?.id === id && frame.job.status === 'completed');
    const frames = client.frames.filter(about(id));
    const [snapshot, ...updates] = frames;
    expect(snapshot?.type).toBe('job.snapshot');
    expect(updates.every((frame) => frame.type === 'job.updated')).toBe(true);
    // Strictly increasing seq, all above the snapshot's: nothing stale, nothing twice, nothing out of order.
    const seqs = frames.map((frame) => frame.job?.seq ?? -1);
    expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
    expect(new Set(seqs).size).toBe(seqs.length);
    // Every update shows something new: heartbeats never reach the client.
    for (let i = 1; i < frames.length; i++) {
      expect(visible(frames[i]?.job as JobView)).not.toBe(visible(frames[i - 1]?.job as JobView));
    }
    const last = frames.at(-1)?.job;
    expect(last).toMatchObject({ status: 'completed', result: { slept: 2 }, progress: { percent: 100 } });
    // Progress was seen on the way (the snapshot may already be past the start).
    const percents = updates.map((frame) => frame.job?.progress.percent ?? 0);
    expect(
      percents.some((percent) => percent > 0 && percent < 100) || snapshot?.job?.status === 'running',
    ).toBe(true);
    expect(percents).toEqual([...percents].sort((a, b) => a - b));

    // A client that reconnects and subscribes again gets the current state.
    const again = await connect('ws-alice');
    again.send({ action: 'subscribe', jobId: id });
    const fresh = await again.waitFor(about(id));
    expect(fresh).toMatchObject({ type: 'job.snapshot', job: { id, status: 'completed', seq: last?.seq } });
  });

  it('with `all: true`, sees jobs created after subscribing, each in seq order', async () => {
    const client = await connect('ws-bob');
    client.send({ action: 'subscribe', all: true });
    await client.waitFor((frame) => frame.type === 'subscribed');

    const api = await http('ws-bob');
    const { body } = await api.post<{ job: JobView }>('/jobs', {
      type: 'demo',
      command: 'echo',
      params: { value: 7 },
    });
    const id = body.job.id;

    await client.waitFor((frame) => frame.job?.id === id && frame.job.status === 'completed');
    const frames = client.frames.filter(about(id));
    expect(frames.every((frame) => frame.type === 'job.updated')).toBe(true);
    expect(frames[0]?.job?.status).toBe('queued');
    const seqs = frames.map((frame) => frame.job?.seq ?? -1);
    expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
    expect(frames.at(-1)?.job).toMatchObject({ status: 'completed', result: { value: 7 } });
  });

  it("answers not_found for another user's job and subscribes to nothing", async () => {
    const carol = await connect('ws-carol');
    carol.send({ action: 'subscribe', all: true });
    await carol.waitFor((frame) => frame.type === 'subscribed');
    const api = await http('ws-carol');
    const { body } = await api.post<{ job: JobView }>('/jobs', { type: 'demo', command: 'echo' });
    const id = body.job.id;
    const mallory = await connect('ws-mallory');
    mallory.send({ action: 'subscribe', jobId: id });
    mallory.send({ action: 'subscribe', jobId: 'no-such-job' });

    const errors = await eventually(async () => {
      const found = mallory.frames.filter((frame) => frame.type === 'error');
      return found.length === 2 && found;
    });
    expect(errors).toEqual([
      { type: 'error', code: 'not_found', message: `No job ${id}` },
      { type: 'error', code: 'not_found', message: 'No job no-such-job' },
    ]);
    // The job's changes went out (its owner saw them all), and none of them to mallory.
    await carol.waitFor((frame) => frame.job?.id === id && frame.job.status === 'completed');
    mallory.send({ action: 'ping' });
    await mallory.waitFor((frame) => frame.type === 'pong');
    expect(mallory.frames.filter((frame) => frame.job !== undefined)).toEqual([]);
  });

  it('answers ping with pong, and anything else with bad_request', async () => {
    const client = await connect('ws-dave');
    client.send({ action: 'ping' });
    client.socket.send('hello');
    await client.waitFor((frame) => frame.type === 'pong');
    expect(await client.waitFor((frame) => frame.type === 'error')).toMatchObject({ code: 'bad_request' });
  });

  it("removes a dropped client's connection and subscriptions", async () => {
    const user = `ws-dropper-${Date.now()}`;
    const client = await connect(user);
    client.send({ action: 'subscribe', all: true });
    await client.waitFor((frame) => frame.type === 'subscribed');
    const connectionsTable = stack.tables.Connections as string;
    // A scan is fine in a test: it only finds this user's connection id.
    const { Items = [] } = await dynamo.send(
      new ScanCommand({
        TableName: connectionsTable,
        FilterExpression: 'userId = :user AND sk = :conn',
        ExpressionAttributeValues: marshall({ ':user': user, ':conn': 'CONN' }),
        ConsistentRead: true,
      }),
    );
    const connectionId = String(unmarshall(Items[0] ?? {}).connectionId);
    expect(connectionId).not.toBe('undefined');
    const owned = async () =>
      (
        await dynamo.send(
          new QueryCommand({
            TableName: connectionsTable,
            KeyConditionExpression: 'pk = :pk',
            ExpressionAttributeValues: marshall({ ':pk': `CONN#${connectionId}` }),
            ConsistentRead: true,
          }),
        )
      ).Items ?? [];
    expect((await owned()).length).toBe(2); // the connection and its `all` subscription's back-reference

    client.socket.terminate(); // no close frame: the network just went away

    await eventually(async () => (await owned()).length === 0);
    const subscribers = await dynamo.send(
      new QueryCommand({
        TableName: connectionsTable,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: marshall({ ':pk': `SUB#USER#${user}` }),
        ConsistentRead: true,
      }),
    );
    expect(subscribers.Items ?? []).toEqual([]);
  });

  it('refuses a missing or bad token with 401', async () => {
    expect(await handshakeStatus('')).toBe(401);
    expect(await handshakeStatus('?token=not-a-jwt')).toBe(401);
    const forged = await signToken('another-secret-another-secret-another', { sub: 'ws-alice' });
    expect(await handshakeStatus(`?token=${forged}`)).toBe(401);
  });
});
