/** `#/`: counts by status, the tiers, throughput and latency history, all kept current while open. */
import { JOB_STATUSES, type QueueStats } from '@tiered-job-queue/client';
import { useEffect, useRef, useState } from 'preact/hooks';
import { StatusBadge } from '../components/status.tsx';
import { useLiveVersion, useServices } from '../data/app-context.ts';
import { jobsHref } from '../router.ts';
import { MetricsCharts } from './overview-charts.tsx';
import { TierPauseButton } from './tier-actions.tsx';

const TIERS = ['critical', 'high', 'normal', 'low'] as const;
/** A job event makes the counters stale; read them again at most this often. */
const STATS_REFRESH_MS = 1000;
const STATS_POLL_MS = 15_000;

/**
 * Live counters: the stats are read again after job events, at most once per STATS_REFRESH_MS (a steady
 * stream of progress events must not starve it), and every STATS_POLL_MS regardless.
 */
function useLiveStats(): { stats: QueueStats | null; refresh: () => void } {
  const { client, report } = useServices();
  const [stats, setStats] = useState<QueueStats | null>(null);
  const version = useLiveVersion();
  const [tick, setTick] = useState(0);
  const last = useRef({ at: 0, timer: 0 as ReturnType<typeof setTimeout> | 0 });
  // Every job event (version) and poll tick asks for a read.
  useEffect(() => {
    if (last.current.timer) return;
    const wait = Math.max(0, last.current.at + STATS_REFRESH_MS - Date.now());
    last.current.timer = setTimeout(() => {
      last.current = { at: Date.now(), timer: 0 };
      client.stats().then(setStats, report);
    }, wait);
  }, [client, report, version, tick]);
  useEffect(() => {
    const poll = setInterval(() => setTick((t) => t + 1), STATS_POLL_MS);
    return () => {
      clearInterval(poll);
      clearTimeout(last.current.timer || undefined);
    };
  }, []);
  return { stats, refresh: () => setTick((t) => t + 1) };
}

type TierStats = QueueStats['tiers'][string] & { paused?: boolean };

export function OverviewView() {
  const { stats, refresh } = useLiveStats();
  const { session } = useServices();
  return (
    <section aria-labelledby="overview-title">
      <h1 id="overview-title">Overview</h1>
      {stats ? <Counters stats={stats} /> : <p class="muted">Loading counters…</p>}
      {stats && <Tiers stats={stats} admin={session.admin} onChanged={refresh} />}
      <MetricsCharts />
    </section>
  );
}

function Counters({ stats }: { stats: QueueStats }) {
  const byStatus = stats.byStatus as Record<string, number>;
  return (
    <section aria-labelledby="counts-title">
      <h2 id="counts-title">
        Jobs by status <span class="muted">({stats.total} in all)</span>
      </h2>
      <ul class="counters">
        {JOB_STATUSES.map((status) => (
          <li key={status} class="counter" data-status={status}>
            <a href={jobsHref({ status })}>
              <span class="count">{byStatus[status] ?? 0}</span>
              <StatusBadge status={status} />
            </a>
          </li>
        ))}
      </ul>
      <p class="muted">
        Average queue time {formatMs(stats.avgQueueTimeMs)} · execution {formatMs(stats.avgExecutionTimeMs)}
        {stats.pastDeadline > 0 && ` · ${stats.pastDeadline} past their deadline`}
      </p>
    </section>
  );
}

function Tiers({ stats, admin, onChanged }: { stats: QueueStats; admin: boolean; onChanged: () => void }) {
  return (
    <section aria-labelledby="tiers-title">
      <h2 id="tiers-title">Tiers</h2>
      <div class="table-wrap">
        <table>
          <thead>
            <tr>
              <th scope="col">Tier</th>
              <th scope="col">Queued</th>
              <th scope="col">In flight</th>
              <th scope="col">Delayed</th>
              <th scope="col">Dead-lettered</th>
              <th scope="col">Max concurrency</th>
              <th scope="col">Paused</th>
            </tr>
          </thead>
          <tbody>
            {TIERS.map((tier) => {
              const t = stats.tiers[tier] as TierStats | undefined;
              return (
                <tr key={tier} data-tier={tier}>
                  <th scope="row">{tier}</th>
                  <td>{t?.queued ?? '—'}</td>
                  <td>{t?.inFlight ?? '—'}</td>
                  <td>{t?.delayed ?? '—'}</td>
                  <td class={t?.deadLettered ? 'warn' : ''}>{t?.deadLettered ?? '—'}</td>
                  <td>{t?.maxConcurrency ?? '—'}</td>
                  <td>
                    {t?.paused === undefined ? '—' : t.paused ? 'paused' : 'no'}
                    {admin && t?.paused !== undefined && (
                      <>
                        {' '}
                        <TierPauseButton tier={tier} paused={t.paused} onChanged={onChanged} />
                      </>
                    )}
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
    </section>
  );
}

const formatMs = (ms: number | null) =>
  ms === null ? '—' : ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(1)} s`;
