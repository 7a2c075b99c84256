/**
 * `#/schedules`: the user's schedules, each with its timetable, next and last run, Pause/Resume and Run now,
 * and the jobs it started (read once from the user's recent jobs, then followed live).
 */
import type { Job, Schedule } from '@tiered-job-queue/client';
import { useEffect, useMemo, useState } from 'preact/hooks';
import { formatTime } from '../components/format.ts';
import { StatusBadge } from '../components/status.tsx';
import { useLiveVersion, useServices } from '../data/app-context.ts';
import { jobHref } from '../router.ts';

/** Recent jobs read to find those a schedule started; later ones arrive live. */
const RECENT_JOBS = 300;
/** Jobs shown per schedule, newest first. */
const SHOWN_JOBS = 10;

export const timetableText = (schedule: Schedule): string =>
  schedule.cron ? `cron ${schedule.cron} (${schedule.timezone})` : `every ${schedule.rate}`;

export function SchedulesView() {
  const { client, live, report } = useServices();
  const [schedules, setSchedules] = useState<Schedule[] | null>(null);
  const [recent, setRecent] = useState<Job[]>([]);
  const [generation, setGeneration] = useState(0);
  // Re-render for live changes of jobs a schedule started only.
  useLiveVersion(useMemo(() => (id: string) => Boolean(live.get(id)?.scheduleId), [live]));

  // A new `generation` asks for a fresh read.
  useEffect(() => {
    let stopped = false;
    (async () => {
      const found: Schedule[] = [];
      for await (const schedule of client.schedules.list({ limit: 100 })) found.push(schedule);
      const jobs: Job[] = [];
      for await (const job of client.list({ limit: 100 })) {
        if (job.scheduleId) jobs.push(job);
        if (jobs.length >= RECENT_JOBS) break;
      }
      if (!stopped) {
        setSchedules(found);
        setRecent(jobs);
      }
    })().catch(report);
    return () => {
      stopped = true;
    };
  }, [client, report, generation]);

  const replace = (next: Schedule) =>
    setSchedules(
      (current) => current?.map((schedule) => (schedule.id === next.id ? next : schedule)) ?? null,
    );
  const jobsOf = (id: string): Job[] => {
    const byId = new Map(recent.filter((job) => job.scheduleId === id).map((job) => [job.id, job]));
    for (const job of live.all()) if (job.scheduleId === id) byId.set(job.id, job);
    return [...byId.values()].sort((a, b) => b.createdAt.localeCompare(a.createdAt)).slice(0, SHOWN_JOBS);
  };

  return (
    <section aria-labelledby="schedules-title">
      <div class="section-head">
        <h1 id="schedules-title">Schedules</h1>
        <div class="actions">
          <button type="button" onClick={() => setGeneration((g) => g + 1)}>
            Refresh
          </button>
        </div>
      </div>
      <p role="status" class="muted">
        {schedules === null
          ? 'Loading…'
          : schedules.length === 0
            ? 'No schedules yet: create one with POST /schedules or `jobs schedules add`.'
            : `${schedules.length} schedule${schedules.length === 1 ? '' : 's'}.`}
      </p>
      {schedules?.map((schedule) => (
        <ScheduleCard
          key={schedule.id}
          schedule={schedule}
          jobs={jobsOf(schedule.id)}
          onChanged={replace}
          onStarted={(job) => setRecent((current) => [job, ...current])}
        />
      ))}
    </section>
  );
}

function ScheduleCard({
  schedule,
  jobs,
  onChanged,
  onStarted,
}: {
  schedule: Schedule;
  jobs: Job[];
  onChanged: (schedule: Schedule) => void;
  onStarted: (job: Job) => void;
}) {
  const { client, report } = useServices();
  const title = schedule.name ?? `${schedule.job.type}/${schedule.job.command}`;
  const togglePause = () =>
    (schedule.paused ? client.schedules.resume(schedule.id) : client.schedules.pause(schedule.id)).then(
      onChanged,
      report,
    );
  const runNow = async () => {
    try {
      onStarted(await client.schedules.trigger(schedule.id));
      onChanged(await client.schedules.get(schedule.id));
    } catch (error) {
      report(error);
    }
  };
  return (
    <section class="group panel" data-schedule-id={schedule.id} aria-label={`Schedule ${title}`}>
      <div class="section-head">
        <h2>
          {title} <span class="muted">{schedule.paused ? 'paused' : 'active'}</span>
        </h2>
        <div class="actions">
          <button type="button" onClick={togglePause}>
            {schedule.paused ? 'Resume' : 'Pause'}
          </button>
          <button type="button" class="primary" onClick={runNow}>
            Run now
          </button>
        </div>
      </div>
      <dl class="facts">
        <dt>Timetable</dt>
        <dd class="mono">{timetableText(schedule)}</dd>
        <dt>Job</dt>
        <dd class="mono">
          {schedule.job.type}/{schedule.job.command} {JSON.stringify(schedule.job.params ?? {})}
        </dd>
        <dt>Next run</dt>
        <dd data-field="next-run">{schedule.paused ? 'paused' : formatTime(schedule.nextRunAt)}</dd>
        <dt>Last run</dt>
        <dd data-field="last-run">{formatTime(schedule.lastRunAt)}</dd>
        <dt>While the previous job runs</dt>
        <dd>{schedule.overlap === 'skip' ? 'skip' : 'start anyway'}</dd>
      </dl>
      <h3>Jobs it started</h3>
      {jobs.length === 0 ? (
        <p class="muted">None yet.</p>
      ) : (
        <div class="table-wrap">
          <table>
            <thead>
              <tr>
                <th scope="col">Job</th>
                <th scope="col">Status</th>
                <th scope="col">Created</th>
              </tr>
            </thead>
            <tbody>
              {jobs.map((job) => (
                <tr key={job.id} data-job-id={job.id} data-status={job.status}>
                  <td>
                    <a class="mono" href={jobHref(job.id)}>
                      {job.id}
                    </a>
                  </td>
                  <td>
                    <StatusBadge status={job.status} />
                  </td>
                  <td>{formatTime(job.createdAt)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
