import { describe, expect, it } from 'vitest';
import { TestClock } from '../../functions/core/clock.ts';
import type { Job, JobStatus } from '../../functions/core/job.ts';
import {
  DEPENDANT_CHUNK,
  FanOutUnfinishedError,
  justFinished,
  settleDependants,
} from '../../functions/usecases/dependencies.ts';
import { aJob } from '../support/job-factory.ts';
import { MemoryJobStore } from '../support/memory-store.ts';

function setup() {
  const store = new MemoryJobStore();
  const sent: Job[] = [];
  const deps = {
    store,
    clock: new TestClock('2026-09-01T00:00:00.000Z'),
    dispatcher: { dispatch: async (job: Job) => void sent.push(job) },
  };
  /** Links children to parents as submitJob does, and plays the stream: settles every job that finished. */
  const link = async (child: Job, parents: Job[]) => {
    await store.create({ ...child, dependsOn: parents.map((p) => p.id) }, { waitsFor: parents });
  };
  const finish = async (job: Job, status: JobStatus) => {
    const current = store.jobs.get(job.id);
    if (!current) throw new Error('no job');
    store.jobs.set(job.id, { ...current, status });
    await propagate(job.id);
  };
  const propagate = async (id: string): Promise<void> => {
    const parent = store.jobs.get(id);
    if (!parent) return;
    await settleDependants(deps, parent);
    for (const childId of await store.listDependants(id)) {
      const child = store.jobs.get(childId);
      if (child?.status === 'failed') await propagate(childId);
    }
  };
  return { store, sent, link, finish };
}

describe('settleDependants', () => {
  it('queues a child once all its dependencies completed', async () => {
    const { store, sent, link, finish } = setup();
    const a = aJob({ status: 'running' });
    const b = aJob({ status: 'running' });
    const child = aJob({ status: 'pending', queuedAt: null });
    await store.create(a);
    await store.create(b);
    await link(child, [a, b]);
    await finish(a, 'completed');
    expect((await store.get(child.id))?.status).toBe('pending');
    await finish(b, 'completed');
    expect((await store.get(child.id))?.status).toBe('queued');
    expect(sent.map((job) => job.id)).toEqual([child.id]);
  });

  it('fails dependants transitively when a dependency fails', async () => {
    const { store, sent, link, finish } = setup();
    const root = aJob({ status: 'running' });
    const child = aJob({ status: 'pending' });
    const grandchild = aJob({ status: 'pending' });
    await store.create(root);
    await link(child, [root]);
    await link(grandchild, [child]);
    await finish(root, 'cancelled');
    expect(await store.get(child.id)).toMatchObject({
      status: 'failed',
      error: { code: 'dependency_failed' },
    });
    expect(await store.get(grandchild.id)).toMatchObject({
      status: 'failed',
      error: { code: 'dependency_failed' },
    });
    expect(sent).toHaveLength(0);
  });

  it('recognises the moment a job finishes', () => {
    const running = aJob({ status: 'running' });
    expect(justFinished(running, { ...running, status: 'completed' })).toBe(true);
    expect(justFinished({ ...running, status: 'completed' }, { ...running, status: 'completed' })).toBe(
      false,
    );
    expect(justFinished(running, { ...running, status: 'retrying' })).toBe(false);
  });
});

describe('settleDependants in bounded chunks', () => {
  async function parentWith(children: number) {
    const store = new MemoryJobStore();
    const sent: Job[] = [];
    const parent = aJob({ status: 'running' });
    await store.create(parent);
    for (let i = 0; i < children; i++) {
      await store.create(
        { ...aJob({ status: 'pending', queuedAt: null }), dependsOn: [parent.id] },
        { waitsFor: [parent] },
      );
    }
    const done = { ...parent, status: 'completed' as const };
    store.jobs.set(parent.id, done);
    const pending = () => [...store.jobs.values()].filter((job) => job.status === 'pending').length;
    return { store, sent, done, pending };
  }

  it('stops between chunks when out of time, and the retry settles the rest', async () => {
    const { store, sent, done, pending } = await parentWith(60);
    // Each attempt has time for one more chunk than the last: a retry first skips what is settled.
    let checks = 0;
    let allowed = 0;
    const attempt = (chunksOfTime: number) => {
      checks = 0;
      allowed = chunksOfTime - 1;
      return settleDependants(deps, done);
    };
    const deps = {
      store,
      clock: new TestClock('2026-09-01T00:00:00.000Z'),
      dispatcher: { dispatch: async (job: Job) => void sent.push(job) },
      outOfTime: () => ++checks > allowed,
    };
    await expect(attempt(1)).rejects.toBeInstanceOf(FanOutUnfinishedError);
    expect(pending()).toBe(60 - DEPENDANT_CHUNK);
    await expect(attempt(2)).rejects.toBeInstanceOf(FanOutUnfinishedError);
    expect(pending()).toBe(60 - 2 * DEPENDANT_CHUNK);
    // The third attempt settles the last chunk; none is released twice.
    expect(await attempt(3)).toEqual({ released: 60 - 2 * DEPENDANT_CHUNK, failed: 0 });
    expect(pending()).toBe(0);
    expect(new Set(sent.map((job) => job.id)).size).toBe(60);
    expect(sent).toHaveLength(60);
  });

  it('settles a chunk concurrently', async () => {
    const { store, done } = await parentWith(DEPENDANT_CHUNK);
    let inFlight = 0;
    let peak = 0;
    const get = store.get.bind(store);
    store.get = async (id) => {
      inFlight++;
      peak = Math.max(peak, inFlight);
      await new Promise((resolve) => setTimeout(resolve, 1));
      inFlight--;
      return get(id);
    };
    const deps = {
      store,
      clock: new TestClock('2026-09-01T00:00:00.000Z'),
      dispatcher: { dispatch: async () => undefined },
    };
    expect(await settleDependants(deps, done)).toEqual({ released: DEPENDANT_CHUNK, failed: 0 });
    expect(peak).toBeGreaterThan(1);
  });
});
