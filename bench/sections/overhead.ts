/**
 * Section 3: handler overhead. Wall time and CPU time (process.cpuUsage) per invocation of the deployed
 * handlers, called in-process one at a time with the events API Gateway, SQS and the stream would send,
 * against DynamoDB Local (its own JVM process) and the SQS emulator plus a management-API stand-in (a
 * process of their own), so the CPU figures are the handler's: its code, the SDK's serialisation, signing
 * and HTTP. Wall time includes the round trips to the local emulators over loopback.
 *
 * Every handler is warmed up first (the first invocations pay for lazy imports and JIT), then measured
 * over many invocations; the SDK requests of each invocation are counted too.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { marshall } from '@aws-sdk/util-dynamodb';
import type {
  APIGatewayProxyEventV2,
  APIGatewayProxyStructuredResultV2,
  DynamoDBRecord,
  SQSRecord,
} from 'aws-lambda';
import { signToken } from '../../functions/adapters/auth/jwt-verifier.ts';
import { jobKey, toItem } from '../../functions/adapters/dynamodb/job-item.ts';
import { jobMessageBody } from '../../functions/adapters/sqs/dispatcher.ts';
import type { Job, JobView } from '../../functions/core/job.ts';
import { LOCAL_REGION as region } from '../../functions/local/local-aws.ts';
import {
  authorizerEvent,
  type ConnectionInfo,
  connectEvent,
  connectionInfo,
  disconnectEvent,
  messageEvent,
} from '../../functions/local/realtime/ws-events.ts';
import { InFlightTimer } from '../lib/in-flight.ts';
import { apiEvent, context, type Handler, load, startHandlerEnvironment } from '../lib/in-process.ts';
import { readJobs } from '../lib/jobs-table.ts';
import { JWT_SECRET, BENCH_USER as USER } from '../lib/local-stack.ts';
import type { SectionContext } from '../lib/results.ts';
import { diff, functionClients, parseKey, SdkCounter, tagFunctionClients } from '../lib/sdk-counter.ts';
import { type Summary, summarize } from '../lib/stats.ts';
import { heading, ms, num, table } from '../lib/table.ts';

interface InvocationTiming {
  name: string;
  module: string;
  note: string;
  invocations: number;
  wallMs: Summary;
  /** Time with at least one SDK request in flight (the emulators' latency; on AWS the services'). */
  sdkWaitMs: Summary;
  /** Wall minus the SDK wait, per invocation: the handler's own time (code, SDK serialisation and parsing). */
  ownMs: Summary;
  cpuMs: Summary;
  /** SDK requests per invocation, by `service operation`. */
  requests: Record<string, number>;
}

/** Starts bench/support/aux-services.ts and reads the endpoints it prints. */
async function startAuxServices() {
  const child = spawn(process.execPath, ['--import', 'tsx', 'bench/support/aux-services.ts'], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const lines = createInterface({ input: child.stdout });
  const [first] = (await once(lines, 'line')) as [string];
  const endpoints = JSON.parse(first) as { sqsEndpoint: string; managementEndpoint: string };
  return {
    ...endpoints,
    stop: async () => {
      child.stdin.end();
      await once(child, 'exit');
    },
  };
}

type Invoke = () => Promise<unknown>;

export async function run(ctx: SectionContext) {
  const n = ctx.quick ? 60 : 400;
  const warmup = ctx.quick ? 10 : 40;
  const counter = new SdkCounter();
  counter.install();
  ctx.log('overhead: starting DynamoDB Local and the SQS emulator (separate processes)');
  const aux = await startAuxServices();
  const env = await startHandlerEnvironment('overhead', { endpoint: aux.sqsEndpoint, stop: aux.stop });
  const { tables, queues, setupDynamo } = env;
  process.env.WS_MANAGEMENT_ENDPOINT = aux.managementEndpoint;
  type Api = Handler<APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2>;
  const httpAuthorizer = await load<Handler<{ headers: Record<string, string> }>>('authorizer');
  const submitJob = await load<Api>('api/submit-job');
  const getJob = await load<Api>('api/get-job');
  const worker = await load<Handler<{ Records: SQSRecord[] }>>('worker');
  const notifier = await load<Handler<{ Records: DynamoDBRecord[] }>>('notifier');
  const dependencies = await load<Handler<{ Records: DynamoDBRecord[] }>>('stream');
  const wsAuthorizer = await load<Handler<ReturnType<typeof authorizerEvent>>>('ws/authorizer');
  const wsConnect = await load<Handler<ReturnType<typeof connectEvent>>>('ws/connect');
  const wsMessage = await load<Handler<ReturnType<typeof messageEvent>>>('ws/message');
  const wsDisconnect = await load<Handler<ReturnType<typeof disconnectEvent>>>('ws/disconnect');
  await tagFunctionClients(counter);
  const inFlight = new InFlightTimer();
  for (const client of await functionClients()) inFlight.attach(client);

  const token = await signToken(JWT_SECRET, { sub: USER });
  const httpEvent = (routeKey: string, path: string, extra: Partial<APIGatewayProxyEventV2>) =>
    apiEvent(routeKey, path, { userId: USER, isAdmin: false }, extra);
  const connectionInfoFor = (id: string, token: string) =>
    connectionInfo(id, new URL(`ws://localhost/?token=${token}`), { host: 'localhost' }, '127.0.0.1', {
      stage: 'bench',
      region,
    });
  const timings: InvocationTiming[] = [];

  /** Warm-up, then `count` measured invocations, each one built (outside the clock) by `next`. */
  async function measure(
    name: string,
    module: string,
    note: string,
    count: number,
    next: (i: number) => Invoke,
  ): Promise<void> {
    for (let i = 0; i < warmup; i++) await next(i)();
    const wall: number[] = [];
    const waited: number[] = [];
    const own: number[] = [];
    const cpu: number[] = [];
    const before = counter.snapshot();
    for (let i = 0; i < count; i++) {
      const invoke = next(warmup + i);
      const cpu0 = process.cpuUsage();
      const wait0 = inFlight.elapsed();
      const t0 = performance.now();
      await invoke();
      const took = performance.now() - t0;
      const wait = inFlight.elapsed() - wait0;
      wall.push(took);
      waited.push(wait);
      own.push(took - wait);
      const used = process.cpuUsage(cpu0);
      cpu.push((used.user + used.system) / 1000);
    }
    const requests: Record<string, number> = {};
    for (const [key, totals] of Object.entries(diff(counter.snapshot(), before))) {
      const { source, service, operation } = parseKey(key);
      if (source !== 'functions') continue;
      requests[`${service} ${operation}`] = totals.calls / count;
    }
    timings.push({
      name,
      module,
      note,
      invocations: count,
      wallMs: summarize(wall),
      sdkWaitMs: summarize(waited),
      ownMs: summarize(own),
      cpuMs: summarize(cpu),
      requests,
    });
    ctx.log(
      `overhead: ${name}: median ${summarize(wall).median.toFixed(2)} ms wall, ${summarize(own).median.toFixed(2)} ms own`,
    );
  }

  try {
    // DynamoDB Local is a JVM: its first thousands of requests are slower until its JIT has warmed up.
    const jvmWarmup = ctx.quick ? 40 : 200;
    ctx.log(`overhead: warming up DynamoDB Local with ${jvmWarmup} submit + worker invocations`);
    for (let i = 0; i < jvmWarmup; i++) {
      const answer = await submitJob.handler(
        httpEvent('POST /jobs', '/jobs', {
          body: JSON.stringify({ type: 'demo', command: 'echo', params: {} }),
        }),
        context('submit-job'),
      );
      const { job } = JSON.parse(answer.body ?? '{}') as { job: JobView };
      const [stored] = await readJobs(setupDynamo, tables.Jobs as string, [job.id]);
      if (!stored) throw new Error(`job ${job.id} was not stored`);
      await worker.handler({ Records: [sqsRecord(stored, queues.arns.normal)] }, context('worker', 900_000));
    }

    await measure(
      'HTTP authorizer',
      'authorizer',
      'HS256 JWT verification',
      n * 2,
      () => () =>
        httpAuthorizer.handler({ headers: { authorization: `Bearer ${token}` } }, context('authorizer')),
    );

    const submitted: JobView[] = [];
    await measure('POST /jobs', 'api/submit-job', 'demo/echo, priority 5', n, () => {
      const event = httpEvent('POST /jobs', '/jobs', {
        body: JSON.stringify({ type: 'demo', command: 'echo', params: { value: 42 } }),
      });
      return async () => {
        const result = await submitJob.handler(event, context('submit-job'));
        if (result.statusCode !== 202) throw new Error(`POST /jobs: ${result.statusCode} ${result.body}`);
        submitted.push((JSON.parse(result.body ?? '{}') as { job: JobView }).job);
      };
    });

    await measure('GET /jobs/{id}', 'api/get-job', 'one queued job', n, (i) => {
      const job = submitted[i % submitted.length] as JobView;
      const event = httpEvent('GET /jobs/{id}', `/jobs/${job.id}`, { pathParameters: { id: job.id } });
      return () => getJob.handler(event, context('get-job'));
    });

    // Each submitted job's first delivery, with the message body its submission sent (the job's snapshot).
    const finished: Job[] = [];
    const queued = new Map(
      (
        await readJobs(
          setupDynamo,
          tables.Jobs as string,
          submitted.map((job) => job.id),
        )
      ).map((job) => [job.id, job]),
    );
    await measure('worker (demo/echo)', 'worker', 'claim, run echo, record the outcome', n, (i) => {
      const job = queued.get((submitted[i] as JobView).id) as Job;
      const record = sqsRecord(job, queues.arns.normal);
      return async () => {
        const result = (await worker.handler({ Records: [record] }, context('worker', 900_000))) as {
          batchItemFailures: unknown[];
        };
        if (result.batchItemFailures.length > 0) throw new Error(`worker failed job ${job.id}`);
      };
    });
    finished.push(
      ...(await readJobs(
        setupDynamo,
        tables.Jobs as string,
        submitted.slice(0, warmup + n).map((j) => j.id),
      )),
    );

    const change = (i: number): DynamoDBRecord => {
      const job = finished[i % finished.length] as Job;
      return streamRecord({ ...job, status: 'running', completedAt: null, seq: job.seq - 1 }, job, i);
    };
    await measure(
      'notifier, nobody subscribed',
      'notifier',
      'one job change, owner unwatched: one watch-mark read',
      n,
      (i) => {
        const record = change(i);
        return () => notifier.handler({ Records: [record] }, context('notifier', 60_000));
      },
    );
    await measure('stream consumer', 'stream', 'one finished job without dependants', n, (i) => {
      const record = change(i);
      return () => dependencies.handler({ Records: [record] }, context('stream', 60_000));
    });

    // WebSocket handlers: every connection is closed again before the notifier is measured with one subscriber.
    const connections: ConnectionInfo[] = [];
    const authorizerContext = (userId: string) => ({ principalId: userId, userId, isAdmin: 'false' });
    const wsToken = token;
    await measure('WebSocket authorizer', 'ws/authorizer', '$connect, HS256 JWT', n, (i) => {
      const info = connectionInfoFor(`ws${i}`, wsToken);
      return () => wsAuthorizer.handler(authorizerEvent(info), context('ws-authorizer', 10_000));
    });
    await measure('WebSocket $connect', 'ws/connect', 'stores the connection', n, (i) => {
      const info = connectionInfoFor(`conn-${i}`, wsToken);
      connections.push(info);
      return () => wsConnect.handler(connectEvent(info, authorizerContext(USER)), context('ws-connect'));
    });
    await measure('WebSocket subscribe', 'ws/message', 'subscribe to one job: snapshot + ready', n, (i) => {
      const info = connections[i] as ConnectionInfo;
      const job = submitted[i % submitted.length] as JobView;
      const event = messageEvent(
        info,
        authorizerContext(USER),
        'subscribe',
        JSON.stringify({ action: 'subscribe', jobId: job.id }),
        false,
      );
      return () => wsMessage.handler(event, context('ws-message'));
    });
    await measure(
      'WebSocket $disconnect',
      'ws/disconnect',
      'forgets the connection and its subscription',
      n,
      (i) => {
        const info = connections[i] as ConnectionInfo;
        return () =>
          wsDisconnect.handler(
            disconnectEvent(info, authorizerContext(USER), 1000, 'bye'),
            context('ws-disconnect'),
          );
      },
    );

    // One client subscribed to all of the owner's jobs: every change is posted to it.
    const watcher = connectionInfoFor('watcher', token);
    await wsConnect.handler(connectEvent(watcher, authorizerContext(USER)), context('ws-connect'));
    await wsMessage.handler(
      messageEvent(
        watcher,
        authorizerContext(USER),
        'subscribe',
        JSON.stringify({ action: 'subscribe', all: true }),
        false,
      ),
      context('ws-message'),
    );
    await measure(
      'notifier, one subscriber',
      'notifier',
      'one job change posted to one connection',
      n,
      (i) => {
        const record = change(i);
        return () => notifier.handler({ Records: [record] }, context('notifier', 60_000));
      },
    );
  } finally {
    await env.stop();
  }

  return {
    handlers: timings,
    notes: [
      `${n} measured invocations per handler (the HTTP authorizer ${2 * n}) after ${warmup} warm-up invocations, one at a time.`,
      'CPU = process.cpuUsage() user+system of this process during the invocation; the emulators run in other processes.',
      'Wall time includes round trips to DynamoDB Local and the SQS emulator over loopback on this machine (2 shared cores).',
      "SDK wait = time with at least one SDK request of the functions on the wire (overlaps once; on AWS: the services' latency); own = wall − SDK wait, per invocation: the handler's code and the SDK's serialisation, signing and parsing.",
    ],
  };
}

/** The first delivery of the message the dispatcher sends for `job` as stored. */
function sqsRecord(job: Job, queueArn: string): SQSRecord {
  const now = String(Date.now());
  return {
    messageId: `${job.id}-${job.epoch}`,
    receiptHandle: `bench-${job.id}`,
    body: jobMessageBody(job),
    attributes: {
      ApproximateReceiveCount: '1',
      SentTimestamp: now,
      SenderId: '000000000000',
      ApproximateFirstReceiveTimestamp: now,
    },
    messageAttributes: {},
    md5OfBody: '',
    eventSource: 'aws:sqs',
    eventSourceARN: queueArn,
    awsRegion: region,
  };
}

function streamRecord(before: Job, after: Job, i: number): DynamoDBRecord {
  const image = (job: Job) =>
    toItem(job, { retentionDays: 30 }) as NonNullable<DynamoDBRecord['dynamodb']>['NewImage'];
  const sequenceNumber = String(1_000_000 + i);
  return {
    eventID: `bench-${i}`,
    eventName: 'MODIFY',
    eventVersion: '1.1',
    eventSource: 'aws:dynamodb',
    awsRegion: region,
    dynamodb: {
      Keys: marshall(jobKey(after.id)) as NonNullable<DynamoDBRecord['dynamodb']>['Keys'],
      NewImage: image(after),
      OldImage: image(before),
      SequenceNumber: sequenceNumber,
      SizeBytes: 2000,
      StreamViewType: 'NEW_AND_OLD_IMAGES',
    },
    eventSourceARN: `arn:aws:dynamodb:${region}:000000000000:table/overhead-Jobs/stream/bench`,
  };
}

export type OverheadResult = Awaited<ReturnType<typeof run>>;

export function render(result: OverheadResult): string {
  return [
    heading('[overhead] Handler overhead per invocation (in-process, local emulators)'),
    table(
      [
        'handler',
        'what',
        'n',
        'wall p50 ms',
        'wall p99 ms',
        'SDK wait p50 ms',
        'own p50 ms',
        'own p99 ms',
        'CPU p50 ms',
        'CPU p99 ms',
        'SDK requests/invocation',
      ],
      result.handlers.map((h) => [
        h.name,
        h.note,
        h.invocations,
        ms(h.wallMs.median, 2),
        ms(h.wallMs.p99, 1),
        ms(h.sdkWaitMs.median, 2),
        ms(h.ownMs.median, 2),
        ms(h.ownMs.p99, 1),
        ms(h.cpuMs.median, 2),
        ms(h.cpuMs.p99, 1),
        Object.entries(h.requests)
          .map(([name, count]) => `${name} ${num(count, 2)}`)
          .join(', ') || '-',
      ]),
    ),
    ...result.notes,
  ].join('\n');
}
