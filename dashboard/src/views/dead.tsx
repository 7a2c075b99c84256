/**
 * `#/dead` (admins): dead jobs of all users grouped by error code and message; select jobs or whole groups
 * and Redrive them, or redrive all.
 */
import type { Job } from '@tiered-job-queue/client';
import { useEffect, useState } from 'preact/hooks';
import { formatTime } from '../components/format.ts';
import { StatusBadge } from '../components/status.tsx';
import { useServices } from '../data/app-context.ts';
import { jobHref } from '../router.ts';

/** Enough to group what a person can act on; more stays for the next redrive. */
const MAX_SHOWN = 1000;

interface Group {
  key: string;
  code: string;
  message: string;
  jobs: Job[];
}

export function DeadLettersView() {
  const { client, session, report } = useServices();
  const [jobs, setJobs] = useState<Job[] | null>(null);
  const [selected, setSelected] = useState<Set<string>>(new Set());
  const [notice, setNotice] = useState('');
  const [generation, setGeneration] = useState(0);

  // A new `generation` asks for a fresh read.
  useEffect(() => {
    if (!session.admin) return;
    let stopped = false;
    (async () => {
      const found: Job[] = [];
      for await (const job of client.dead({ limit: 100 })) {
        found.push(job);
        if (found.length >= MAX_SHOWN) break;
      }
      if (!stopped) setJobs(found);
    })().catch(report);
    return () => {
      stopped = true;
    };
  }, [client, session, report, generation]);

  if (!session.admin)
    return (
      <section aria-labelledby="dead-title">
        <h1 id="dead-title">Dead letters</h1>
        <p>Only admins see dead letters.</p>
      </section>
    );

  const redrive = (request: { jobIds: string[] } | { all: true }) =>
    client.redrive(request).then(({ requeued }) => {
      setNotice(`Requeued ${requeued} job${requeued === 1 ? '' : 's'}.`);
      setSelected(new Set());
      setGeneration((g) => g + 1);
    }, report);
  const toggle = (ids: string[], on: boolean) =>
    setSelected((current) => {
      const next = new Set(current);
      for (const id of ids) on ? next.add(id) : next.delete(id);
      return next;
    });
  const groups = groupByError(jobs ?? []);

  return (
    <section aria-labelledby="dead-title">
      <div class="section-head">
        <h1 id="dead-title">Dead letters</h1>
        <div class="actions">
          <button type="button" onClick={() => setGeneration((g) => g + 1)}>
            Refresh
          </button>
          <button
            type="button"
            class="primary"
            disabled={selected.size === 0}
            onClick={() => redrive({ jobIds: [...selected] })}
          >
            Redrive
          </button>
          <button type="button" disabled={!jobs?.length} onClick={() => redrive({ all: true })}>
            Redrive all
          </button>
        </div>
      </div>
      <p role="status" class="muted">
        {notice ||
          (jobs === null
            ? 'Loading…'
            : `${jobs.length} dead job${jobs.length === 1 ? '' : 's'} in ${groups.length} group${groups.length === 1 ? '' : 's'}.`)}
      </p>
      {groups.map((group) => (
        <DeadGroup key={group.key} group={group} selected={selected} toggle={toggle} />
      ))}
    </section>
  );
}

function DeadGroup({
  group,
  selected,
  toggle,
}: {
  group: Group;
  selected: Set<string>;
  toggle: (ids: string[], on: boolean) => void;
}) {
  const ids = group.jobs.map((job) => job.id);
  const all = ids.every((id) => selected.has(id));
  return (
    <section class="group panel" data-error-code={group.code} aria-label={`${group.code}: ${group.message}`}>
      <h2>
        <label>
          <input type="checkbox" checked={all} onChange={() => toggle(ids, !all)} />{' '}
          <span class="mono">{group.code}</span> · {group.message}{' '}
          <span class="count-badge">{group.jobs.length}</span>
        </label>
      </h2>
      <ul class="dead-jobs">
        {group.jobs.map((job) => (
          <li key={job.id} data-job-id={job.id}>
            <label>
              <input
                type="checkbox"
                checked={selected.has(job.id)}
                onChange={(e) => toggle([job.id], (e.currentTarget as HTMLInputElement).checked)}
                aria-label={`Select ${job.id}`}
              />
            </label>{' '}
            <a class="mono" href={jobHref(job.id)}>
              {job.id}
            </a>{' '}
            <StatusBadge status={job.status} /> {job.type}/{job.command}{' '}
            <span class="muted">· {formatTime(job.completedAt ?? job.createdAt)}</span>
          </li>
        ))}
      </ul>
    </section>
  );
}

function groupByError(jobs: Job[]): Group[] {
  const groups = new Map<string, Group>();
  for (const job of jobs) {
    const code = job.error?.code ?? 'unknown';
    const message = job.error?.message ?? 'no error recorded';
    const key = `${code}\u0000${message}`;
    const group = groups.get(key) ?? { key, code, message, jobs: [] };
    group.jobs.push(job);
    groups.set(key, group);
  }
  return [...groups.values()].sort((a, b) => b.jobs.length - a.jobs.length);
}
