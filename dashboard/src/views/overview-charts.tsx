/** Throughput and latency over 1 h / 24 h / 7 d from `GET /queue/metrics`, read again every 30 s. */
import { useEffect, useState } from 'preact/hooks';
import { formatDuration } from '../components/format.ts';
import { LineChart } from '../components/line-chart.tsx';
import { useServices } from '../data/app-context.ts';
import { fetchMetrics, type MetricsPoint, RANGES } from '../data/metrics.ts';

const METRICS_POLL_MS = 30_000;

export function MetricsCharts() {
  const { client, report } = useServices();
  const [rangeIndex, setRangeIndex] = useState(0);
  const [points, setPoints] = useState<MetricsPoint[] | null | undefined>(undefined);
  const range = RANGES[rangeIndex] ?? RANGES[0];

  useEffect(() => {
    if (!range) return;
    let stopped = false;
    const load = () =>
      fetchMetrics(client, range).then(
        (next) => !stopped && setPoints(next),
        (error) => !stopped && report(error),
      );
    load();
    const timer = setInterval(load, METRICS_POLL_MS);
    return () => {
      stopped = true;
      clearInterval(timer);
    };
  }, [client, report, range]);

  const times = points?.map((p) => p.t) ?? [];
  const empty =
    !points || points.every((p) => p.submitted + p.completed + p.failed + p.dead + p.cancelled === 0);
  return (
    <section aria-labelledby="history-title" class="history">
      <div class="section-head">
        <h2 id="history-title">History</h2>
        <fieldset class="segmented">
          <legend class="visually-hidden">Time range</legend>
          {RANGES.map((r, i) => (
            <button
              type="button"
              key={r.label}
              aria-pressed={i === rangeIndex}
              onClick={() => setRangeIndex(i)}
            >
              {r.label}
            </button>
          ))}
        </fieldset>
      </div>
      {points === undefined && <p class="muted">Loading history…</p>}
      {points !== undefined && empty && (
        <p class="muted" data-testid="no-metrics">
          No data for the last {range?.label}
          {points === null ? ' (this API has no metrics history)' : ''}.
        </p>
      )}
      {points && !empty && (
        <div class="charts">
          <LineChart
            title={`Throughput per ${range?.step === 60 ? 'minute' : range?.step === 300 ? '5 minutes' : 'hour'}`}
            times={times}
            format={(v) => String(Math.round(v))}
            series={[
              { key: 'submitted', label: 'submitted', values: points.map((p) => p.submitted) },
              { key: 'completed', label: 'completed', values: points.map((p) => p.completed) },
              { key: 'failed', label: 'failed + dead', values: points.map((p) => p.failed + p.dead) },
            ]}
          />
          <LineChart
            title="Latency (average)"
            times={times}
            format={(v) => formatDuration(v)}
            series={[
              { key: 'queueTime', label: 'queue time', values: points.map((p) => p.avgQueueTimeMs) },
              {
                key: 'executionTime',
                label: 'execution time',
                values: points.map((p) => p.avgExecutionTimeMs),
              },
            ]}
          />
        </div>
      )}
    </section>
  );
}
