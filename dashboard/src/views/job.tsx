/**
 * `#/jobs/<id>`: one job, live: params, result, error, progress with stage and message, the timeline of the
 * versions seen (by `seq`), its parents (`dependsOn`) and the dependants seen among the user's jobs, its
 * durable steps, and the Cancel and Retry actions.
 */
import { isTerminal, type Job } from '@tiered-job-queue/client';
import { useEffect, useState } from 'preact/hooks';
import { formatDuration, formatTime, json } from '../components/format.ts';
import { ProgressBar } from '../components/progress.tsx';
import { StatusBadge } from '../components/status.tsx';
import { useLiveVersion, useServices } from '../data/app-context.ts';
import { jobHref } from '../router.ts';
import { JobActions } from './job-actions.tsx';
import { PayloadDownload } from './job-payload.tsx';
import { JobSteps } from './job-steps.tsx';
import { Timeline } from './job-timeline.tsx';

export function JobView({ id }: { id: string }) {
  const { client, live } = useServices();
  const [missing, setMissing] = useState<string | null>(null);
  useLiveVersion();
  const job = live.get(id);

  // The whole job over HTTP at first, and again when an event left a large result out.
  const needsRead = !job || job.resultTruncated === true;
  useEffect(() => {
    if (!needsRead) return;
    client.get(id).then(
      (read) => live.merge(read),
      (error: { status?: number; message?: string }) =>
        setMissing(error.status === 404 ? 'No such job (or not yours).' : (error.message ?? String(error))),
    );
  }, [client, live, id, needsRead]);

  if (!job)
    return (
      <section aria-labelledby="job-title">
        <h1 id="job-title">Job {id}</h1>
        <p role={missing ? 'alert' : undefined} class={missing ? 'error' : 'muted'}>
          {missing ?? 'Loading…'}
        </p>
      </section>
    );
  return (
    <section aria-labelledby="job-title" data-job-id={job.id} data-status={job.status}>
      <div class="section-head">
        <h1 id="job-title">
          Job <span class="mono">{job.id}</span>
        </h1>
        <JobActions job={job} />
      </div>
      <p class="job-line">
        <StatusBadge status={job.status} /> {job.type}/{job.command} · {job.tier} (priority {job.priority}) ·
        attempt {job.attempt} of {job.maxRetries + 1}
      </p>
      <div class="progress-block">
        <ProgressBar job={job} label="Progress" />
        <p>
          <strong>{Math.round(job.progress.percent)}%</strong>
          {job.progress.stage && <span class="stage"> · {job.progress.stage}</span>}
          {job.progress.message && <span class="muted"> · {job.progress.message}</span>}
        </p>
      </div>
      {job.error && (
        <div class="error-box" role="status">
          <strong>{job.error.code}</strong>: {job.error.message}{' '}
          <span class="muted">({job.error.retryable ? 'retryable' : 'not retryable'})</span>
        </div>
      )}
      <div class="panels">
        <Panel title="Params">
          {job.paramsTruncated ? <PayloadDownload job={job} which="params" /> : <pre>{json(job.params)}</pre>}
        </Panel>
        <Panel title="Result">
          {job.resultTruncated ? <PayloadDownload job={job} which="result" /> : <pre>{json(job.result)}</pre>}
        </Panel>
        <Panel title="Times">
          <Times job={job} />
        </Panel>
        <Panel title="Dependencies">
          <Dependencies job={job} />
        </Panel>
        {(job.steps?.length ?? 0) > 0 && (
          <Panel title="Steps">
            <JobSteps job={job} />
          </Panel>
        )}
      </div>
      <Timeline entries={live.timeline(job.id)} terminal={isTerminal(job)} />
    </section>
  );
}

function Panel({ title, children }: { title: string; children: preact.ComponentChildren }) {
  return (
    <section class="panel" aria-label={title}>
      <h2>{title}</h2>
      {children}
    </section>
  );
}

function Times({ job }: { job: Job }) {
  const rows: Array<[string, string]> = [
    ['Created', formatTime(job.createdAt)],
    ['Queued', formatTime(job.queuedAt)],
    ['Started', formatTime(job.startedAt)],
    ['Heartbeat', formatTime(job.heartbeatAt)],
    ['Completed', formatTime(job.completedAt)],
    ['Run at', formatTime(job.runAt)],
    ['Deadline', formatTime(job.deadline)],
    ['Queue time', formatDuration(job.queueTimeMs)],
    ['Execution time', formatDuration(job.executionTimeMs)],
  ];
  return (
    <dl class="times">
      {rows.map(([name, value]) => (
        <div key={name}>
          <dt>{name}</dt>
          <dd>{value}</dd>
        </div>
      ))}
    </dl>
  );
}

/** Parents from the job itself; dependants as seen among the user's jobs (the API has no dependants route). */
function Dependencies({ job }: { job: Job }) {
  const { live } = useServices();
  const dependants = live.all().filter((other) => other.dependsOn.includes(job.id));
  return (
    <div class="deps">
      <h3>Depends on</h3>
      {job.dependsOn.length === 0 ? (
        <p class="muted">nothing</p>
      ) : (
        <ul>
          {job.dependsOn.map((parent) => (
            <li key={parent}>
              <a class="mono" href={jobHref(parent)}>
                {parent}
              </a>{' '}
              {live.get(parent) && <StatusBadge status={(live.get(parent) as Job).status} />}
            </li>
          ))}
        </ul>
      )}
      <h3>Dependants</h3>
      {dependants.length === 0 ? (
        <p class="muted">none seen</p>
      ) : (
        <ul>
          {dependants.map((child) => (
            <li key={child.id}>
              <a class="mono" href={jobHref(child.id)}>
                {child.id}
              </a>{' '}
              <StatusBadge status={child.status} />
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
