/**
 * A small hand-made SVG line chart (no chart library: a few hundred bytes instead of tens of KB). Each series
 * is one path; gaps (null) break the line. `data-series` and `data-sum` let tests and people check the figures.
 */
export interface ChartSeries {
  key: string;
  label: string;
  values: Array<number | null>;
}

interface LineChartProps {
  title: string;
  times: string[];
  series: ChartSeries[];
  format: (value: number) => string;
}

const WIDTH = 640;
const HEIGHT = 180;
const PAD = { left: 56, right: 12, top: 12, bottom: 24 };

export function LineChart({ title, times, series, format }: LineChartProps) {
  const all = series.flatMap((s) => s.values.filter((v): v is number => v !== null));
  const max = niceCeiling(Math.max(1, ...all));
  const innerW = WIDTH - PAD.left - PAD.right;
  const innerH = HEIGHT - PAD.top - PAD.bottom;
  const x = (i: number) => PAD.left + (times.length > 1 ? (i / (times.length - 1)) * innerW : innerW / 2);
  const y = (v: number) => PAD.top + innerH - (v / max) * innerH;
  const sums = series.map((s) => s.values.reduce<number>((total, v) => total + (v ?? 0), 0));
  const summary = series.map((s, i) => `${s.label} ${format(sums[i] ?? 0)}`).join(', ');
  return (
    <figure class="chart">
      <figcaption>{title}</figcaption>
      <svg viewBox={`0 0 ${WIDTH} ${HEIGHT}`} role="img" aria-label={`${title}: ${summary}`}>
        {[0, 0.5, 1].map((f) => (
          <g key={f}>
            <line class="grid" x1={PAD.left} x2={WIDTH - PAD.right} y1={y(max * f)} y2={y(max * f)} />
            <text class="axis" x={PAD.left - 6} y={y(max * f) + 4} text-anchor="end">
              {format(max * f)}
            </text>
          </g>
        ))}
        {times.length > 0 && (
          <>
            <text class="axis" x={PAD.left} y={HEIGHT - 6}>
              {label(times[0])}
            </text>
            <text class="axis" x={WIDTH - PAD.right} y={HEIGHT - 6} text-anchor="end">
              {label(times[times.length - 1])}
            </text>
          </>
        )}
        {series.map((s, index) => (
          <path
            key={s.key}
            class={`line line-${index}`}
            data-series={s.key}
            data-sum={sums[index]}
            d={pathOf(s.values, x, y)}
          />
        ))}
      </svg>
      <ul class="legend">
        {series.map((s, index) => (
          <li key={s.key}>
            <span class={`swatch line-${index}`} aria-hidden="true" />
            {s.label}
          </li>
        ))}
      </ul>
    </figure>
  );
}

function pathOf(values: Array<number | null>, x: (i: number) => number, y: (v: number) => number): string {
  let d = '';
  let drawing = false;
  values.forEach((v, i) => {
    if (v === null) {
      drawing = false;
      return;
    }
    d += `${drawing ? 'L' : 'M'}${x(i).toFixed(1)},${y(v).toFixed(1)}`;
    drawing = true;
  });
  return d;
}

function niceCeiling(value: number): number {
  const magnitude = 10 ** Math.floor(Math.log10(value));
  const step = [1, 2, 5, 10].find((m) => m * magnitude >= value) ?? 10;
  return step * magnitude;
}

function label(iso: string | undefined): string {
  if (!iso) return '';
  const date = new Date(iso);
  return date.toLocaleString(undefined, {
    month: 'short',
    day: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
  });
}
