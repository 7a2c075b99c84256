/**
 * The README's durable agent runs as written: its block is this repository's example file, byte for byte,
 * and that agent completes through the worker's use case, continuing in fresh invocations when the
 * invocation is short and replaying its stored stages instead of calling the model again.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { writerAgent } from '../../functions/agents/examples/writer.ts';
import { AgentRegistry } from '../../functions/agents/registry.ts';
import { TestClock } from '../../functions/core/clock.ts';
import type { Job } from '../../functions/core/job.ts';
import { type RunJobDeps, runJob } from '../../functions/usecases/run-job.ts';
import { aJob } from '../support/job-factory.ts';
import { MemoryJobStore, silentLogger } from '../support/memory-store.ts';

const root = new URL('../../', import.meta.url);

describe('README: Writing a durable agent', () => {
  it('shows functions/agents/examples/writer.ts exactly', () => {
    const readme = readFileSync(new URL('README.md', root), 'utf8');
    const section = readme.slice(readme.indexOf('### Writing a durable agent'));
    const block = /```ts\n([\s\S]*?)```/.exec(section)?.[1];
    expect(block).toBe(readFileSync(new URL('functions/agents/examples/writer.ts', root), 'utf8'));
  });

  it('runs the staged agent to completion across continuations, each stage once', async () => {
    const store = new MemoryJobStore();
    const sent: Job[] = [];
    const deps: RunJobDeps = {
      store,
      agents: new AgentRegistry().register('writer', writerAgent),
      clock: new TestClock('2026-05-01T00:00:00.000Z'),
      logger: silentLogger,
      heartbeatMs: 1000,
      staleAfterMs: 60_000,
      progressIntervalMs: 1000,
      dispatcher: { dispatch: async (job) => void sent.push(job) },
    };
    const job = aJob({
      type: 'writer',
      command: 'article',
      params: { topic: 'tiered queues' },
      timeoutSeconds: 3600,
    });
    await store.create(job);
    // An invocation with less time than a step needs: every stage after the first moves to a fresh one.
    const deliver = async () =>
      runJob(
        deps,
        { jobId: job.id, epoch: ((await store.get(job.id)) as Job).epoch },
        { setVisibility: async () => undefined },
        500,
      );
    let outcome = await deliver();
    while (outcome.kind === 'continued') outcome = await deliver();
    const done = await store.get(job.id);
    expect(done).toMatchObject({
      status: 'completed',
      attempt: 1,
      continuations: 3,
      result: { topic: 'tiered queues', article: 'Polish this draft [model answer]', continuations: 3 },
    });
    expect(done?.steps?.map((step) => [step.name, step.continuation])).toEqual([
      ['research', 0],
      ['outline', 1],
      ['draft', 2],
      ['polish', 3],
    ]);
    expect(sent).toHaveLength(3);
  });
});
