import { describe, expect, it } from 'vitest';
import { TestClock } from '../../functions/core/clock.ts';
import type { Job, JobStatus } from '../../functions/core/job.ts';
import { justFinished, settleDependants } from '../../functions/usecases/dependencies.ts';
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
