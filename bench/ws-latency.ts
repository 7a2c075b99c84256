/**
 * End-to-end WebSocket latency on the local stack: from an agent's `progress(...)` call to a subscribed
 * client receiving the `job.updated` frame with it. The path is the deployed one: the worker writes the
 * progress (one conditional UpdateItem), DynamoDB Local's stream carries it, the local event source invokes
 * the notifier, which posts through the management API to the client's socket.
 *
 *   npx tsx bench/ws-latency.ts [--jobs 4] [--steps 50] [--interval-ms 80]
 *
 * Not a test: it prints the median and p99 and exits. The stack runs in-process with its own emulators
 * (DynamoDB Local in memory, the SQS emulator), like `npm start --in-memory` with ephemeral ports.
 */

import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import WebSocket from 'ws';
import { z } from 'zod';
import { signToken } from '../functions/adapters/auth/jwt-verifier.ts';
import { agents } from '../functions/agents/index.ts';
import { command } from '../functions/agents/registry.ts';
import type { JobView } from '../functions/core/job.ts';
import { startLocalStack } from '../functions/local/stack.ts';

const { values } = parseArgs({
  options: {
    jobs: { type: 'string', default: '4' },
    steps: { type: 'string', default: '50' },
    'interval-ms': { type: 'string', default: '80' },
  },
});
const jobs = Number(values.jobs);
const steps = Number(values.steps);
const intervalMs = Number(values['interval-ms']);

/** When each progress call was made, by `${jobId}:${step}` (the worker runs in this process). */
const calledAt = new Map<string, number>();

// A bench-only agent: progress calls at jittered intervals, each stamped just before the call.
agents.register('bench', {
  progress: command({
    description: 'Reports progress `steps` times, about every `intervalMs`.',
    params: z.object({ steps: z.number().int().min(1), intervalMs: z.number().min(0) }),
    run: async ({ steps: count, intervalMs: every }, { jobId, progress }) => {
      for (let step = 1; step <= count; step++) {
        // Jitter keeps the calls from lining up with the stream reader's polling.
        await sleep(every * (0.5 + Math.random()));
        calledAt.set(`${jobId}:${step}`, performance.now());
        progress((step / count) * 100, 'bench', String(step));
      }
      return { steps: count };
    },
  }),
});

// Every progress call is written at once: this measures the pipeline, not the worker's coalescing
// (by default it writes at most one progress update per second).
process.env.PROGRESS_INTERVAL_MS = '0';

const secret = 'bench-secret-bench-secret-bench-secret';
process.stdout.write('starting the local stack (in memory)...\n');
const stack = await startLocalStack({
  port: 0,
  wsPort: 0,
  jwtSecret: secret,
  prefix: 'bench',
  logLevel: 'error',
  onError: (error) => process.stderr.write(`stack: ${error instanceof Error ? error.message : error}\n`),
});

const token = await signToken(secret, { sub: 'bench-user' });
const socket = new WebSocket(`${stack.wsUrl}/?token=${token}`);
const latencies: number[] = [];
const done = new Set<string>();
socket.on('message', (data) => {
  const receivedAt = performance.now();
  const frame = JSON.parse(data.toString()) as { type: string; job?: JobView };
  const job = frame.job;
  if (frame.type !== 'job.updated' || !job) return;
  if (job.progress.stage === 'bench' && job.progress.message) {
    const stamp = calledAt.get(`${job.id}:${job.progress.message}`);
    // Each progress value is counted once: the first frame that carries it.
    if (stamp !== undefined) {
      latencies.push(receivedAt - stamp);
      calledAt.delete(`${job.id}:${job.progress.message}`);
    }
  }
  if (job.status === 'completed') done.add(job.id);
});
await new Promise<void>((resolve, reject) => {
  socket.once('open', () => resolve());
  socket.once('error', reject);
});
socket.send(JSON.stringify({ action: 'subscribe', all: true }));
await new Promise<void>((resolve) =>
  socket.on('message', (data) => {
    if (String(data).includes('"subscribed"')) resolve();
  }),
);

process.stdout.write(
  `running ${jobs} job(s) of ${steps} progress calls every ~${intervalMs} ms, one at a time\n`,
);
const started = performance.now();
for (let i = 0; i < jobs; i++) {
  const response = await fetch(`${stack.httpUrl}/agents/bench/progress`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ params: { steps, intervalMs }, priority: 9 }),
  });
  const { job } = (await response.json()) as { job: JobView };
  const deadline = Date.now() + 120_000 + steps * intervalMs * 2;
  while (!done.has(job.id) && Date.now() < deadline) await sleep(50);
  if (!done.has(job.id)) throw new Error(`job ${job.id} did not complete in time`);
}
const elapsed = (performance.now() - started) / 1000;

socket.close();
await stack.stop();

const sorted = [...latencies].sort((a, b) => a - b);
const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)] ?? Number.NaN;
const ms = (value: number) => `${value.toFixed(1)} ms`;
const expected = jobs * steps;
process.stdout.write(
  [
    '',
    `progress call -> client, ${sorted.length} of ${expected} calls received (${elapsed.toFixed(1)} s):`,
    `  min     ${ms(sorted[0] ?? Number.NaN)}`,
    `  median  ${ms(at(0.5))}`,
    `  p90     ${ms(at(0.9))}`,
    `  p99     ${ms(at(0.99))}`,
    `  max     ${ms(sorted.at(-1) ?? Number.NaN)}`,
    '',
  ].join('\n'),
);
process.exit(0);
