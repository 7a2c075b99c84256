/** Every version of the job seen since the page opened, by `seq`: status, progress, stage and message. */
import { StatusBadge } from '../components/status.tsx';
import type { TimelineEntry } from '../data/live-jobs.ts';

export function Timeline({ entries, terminal }: { entries: TimelineEntry[]; terminal: boolean }) {
  return (
    <section aria-labelledby="timeline-title" class="timeline">
      <h2 id="timeline-title">Timeline</h2>
      <ol aria-live="polite">
        {entries.map((entry) => (
          <li key={entry.seq} data-seq={entry.seq}>
            <span class="mono muted">#{entry.seq}</span> <StatusBadge status={entry.status} />{' '}
            <span>{Math.round(entry.percent)}%</span>
            {entry.stage && <span> · {entry.stage}</span>}
            {entry.message && <span class="muted"> · {entry.message}</span>}
            <time class="muted" dateTime={entry.seenAt.toISOString()}>
              {' '}
              {entry.seenAt.toLocaleTimeString()}
            </time>
          </li>
        ))}
      </ol>
      {!terminal && <p class="muted">Following live…</p>}
    </section>
  );
}
