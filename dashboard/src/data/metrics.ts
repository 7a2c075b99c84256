/**
 * `GET /queue/metrics` (API.md "Metrics history"). The client library has no method for it yet, so this is
 * the one request the dashboard makes itself, with the client's token and error shape. A 404 (a deployment
 * without the route) reads as "no data".
 */
import { JobsApiError } from '@tiered-job-queue/client';

export interface MetricsPoint {
  t: string;
  submitted: number;
  started: number;
  completed: number;
  failed: number;
  dead: number;
  cancelled: number;
  avgQueueTimeMs: number | null;
  avgExecutionTimeMs: number | null;
}

export interface MetricsRange {
  label: string;
  seconds: number;
  step: 60 | 300 | 3600;
}

export const RANGES: MetricsRange[] = [
  { label: '1 h', seconds: 3600, step: 60 },
  { label: '24 h', seconds: 86_400, step: 300 },
  { label: '7 d', seconds: 7 * 86_400, step: 3600 },
];

export async function fetchMetrics(
  apiUrl: string,
  token: string,
  range: MetricsRange,
  now = new Date(),
): Promise<MetricsPoint[] | null> {
  const url = new URL(`${apiUrl.replace(/\/+$/, '')}/queue/metrics`);
  url.searchParams.set('from', new Date(now.getTime() - range.seconds * 1000).toISOString());
  url.searchParams.set('to', now.toISOString());
  url.searchParams.set('step', String(range.step));
  const response = await fetch(url, {
    headers: { authorization: `Bearer ${token}`, accept: 'application/json' },
  });
  if (response.status === 404) return null;
  const body = (await response.json().catch(() => null)) as {
    points?: MetricsPoint[];
    error?: { code: string; message: string };
    message?: string;
  } | null;
  if (!response.ok)
    throw new JobsApiError(
      response.status,
      body?.error?.code ?? 'http_error',
      body?.error?.message ?? body?.message ?? response.statusText,
    );
  return body?.points ?? [];
}
