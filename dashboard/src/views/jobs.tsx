/**
 * `#/jobs`: the user's jobs, newest first, filtered by status and type; the next page loads as the end of the
 * list scrolls into view (or with "Load more"); rows follow the live store, and new jobs appear on top.
 */
import { JOB_STATUSES, type Job } from '@tiered-job-queue/client';
import { useEffect, useRef, useState } from 'preact/hooks';
import { formatTime } from '../components/format.ts';
import { ProgressBar } from '../components/progress.tsx';
import { StatusBadge } from '../components/status.tsx';
import { useLiveVersion, useServices } from '../data/app-context.ts';
import { jobHref, jobsHref } from '../router.ts';

const PAGE_SIZE = 50;

interface Listing {
  ids: string[];
  cursor: string | null;
  loading: boolean;
  openedAt: string;
}

export function JobsView({ status, type }: { status: string; type: string }) {
  const { client, live, report } = useServices();
  const [listing, setListing] = useState<Listing>(() => fresh());
  useLiveVersion();

  const loadPage = (cursor: string | undefined, replace: boolean) => {
    setListing((l) => ({ ...l, loading: true }));
    client
      .listPage({
        limit: PAGE_SIZE,
        ...(status && { status: status as Job['status'] }),
        ...(type && { type }),
        ...(cursor && { cursor }),
      })
      .then(
        (page) => {
          const ids = page.jobs.map((job) => live.merge(job).id);
          setListing((l) => ({
            ...l,
            ids: replace ? ids : [...l.ids, ...ids.filter((id) => !l.ids.includes(id))],
            cursor: page.nextCursor,
            loading: false,
          }));
        },
        (error) => {
          setListing((l) => ({ ...l, loading: false }));
          report(error);
        },
      );
  };
  // A new filter starts a new listing.
  useEffect(() => {
    setListing(fresh());
    loadPage(undefined, true);
  }, [status, type]);

  // Jobs created while the view is open, seen live, that match the filter: shown on top.
  const matches = (job: Job) => (!status || job.status === status) && (!type || job.type === type);
  const arrived = live
    .all()
    .filter((job) => job.createdAt >= listing.openedAt && !listing.ids.includes(job.id) && matches(job))
    .sort((a, b) => b.createdAt.localeCompare(a.createdAt));
  const rows = [...arrived, ...listing.ids.map((id) => live.get(id)).filter((job): job is Job => !!job)];

  return (
    <section aria-labelledby="jobs-title">
      <h1 id="jobs-title">Jobs</h1>
      <Filters status={status} type={type} />
      <div class="table-wrap">
        <table class="jobs">
          <thead>
            <tr>
              <th scope="col">Job</th>
              <th scope="col">Agent</th>
              <th scope="col">Status</th>
              <th scope="col">Progress</th>
              <th scope="col">Tier</th>
              <th scope="col">Created</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((job) => (
              <JobRow key={job.id} job={job} />
            ))}
          </tbody>
        </table>
      </div>
      {rows.length === 0 && !listing.loading && <p class="muted">No jobs match.</p>}
      <MoreRows
        loading={listing.loading}
        cursor={listing.cursor}
        onMore={() => listing.cursor && loadPage(listing.cursor, false)}
      />
    </section>
  );
}

const fresh = (): Listing => ({ ids: [], cursor: null, loading: true, openedAt: new Date().toISOString() });

function JobRow({ job }: { job: Job }) {
  return (
    <tr data-job-id={job.id} data-status={job.status}>
      <td>
        <a href={jobHref(job.id)} class="mono">
          {job.id}
        </a>
      </td>
      <td>
        {job.type}/{job.command}
      </td>
      <td>
        <StatusBadge status={job.status} />
      </td>
      <td>
        <ProgressBar job={job} label={`Progress of ${job.id}`} />
      </td>
      <td>
        {job.tier} <span class="muted">({job.priority})</span>
      </td>
      <td>{formatTime(job.createdAt)}</td>
    </tr>
  );
}

function Filters({ status, type }: { status: string; type: string }) {
  const [findId, setFindId] = useState('');
  const apply = (next: { status?: string; type?: string }) =>
    location.assign(jobsHref({ status, type, ...next }));
  return (
    <div class="filters">
      <label>
        Status
        <select
          value={status}
          onChange={(e) => apply({ status: (e.currentTarget as HTMLSelectElement).value })}
        >
          <option value="">all</option>
          {JOB_STATUSES.map((s) => (
            <option key={s} value={s}>
              {s}
            </option>
          ))}
        </select>
      </label>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          const value = new FormData(e.currentTarget as HTMLFormElement).get('type');
          apply({ type: String(value ?? '').trim() });
        }}
      >
        <label>
          Type
          <input name="type" defaultValue={type} placeholder="e.g. demo" size={12} />
        </label>
        <button type="submit">Filter</button>
      </form>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          if (findId.trim()) location.assign(jobHref(findId.trim()));
        }}
      >
        <label>
          Find by id
          <input
            value={findId}
            onInput={(e) => setFindId((e.currentTarget as HTMLInputElement).value)}
            size={24}
          />
        </label>
        <button type="submit">Open</button>
      </form>
    </div>
  );
}

/** Endless scroll: the next page loads when this comes into view; the button does the same by keyboard. */
function MoreRows({
  loading,
  cursor,
  onMore,
}: {
  loading: boolean;
  cursor: string | null;
  onMore: () => void;
}) {
  const ref = useRef<HTMLDivElement>(null);
  const more = useRef(onMore);
  more.current = onMore;
  useEffect(() => {
    const element = ref.current;
    if (!element || !cursor || loading) return;
    const observer = new IntersectionObserver((entries) => {
      if (entries.some((entry) => entry.isIntersecting)) more.current();
    });
    observer.observe(element);
    return () => observer.disconnect();
  }, [cursor, loading]);
  return (
    <div ref={ref} class="more">
      {loading && <p class="muted">Loading…</p>}
      {!loading && cursor && (
        <button type="button" onClick={onMore}>
          Load more
        </button>
      )}
    </div>
  );
}
