/**
 * `GET /queue/metrics` (API.md "Metrics history") through the client library. A 404 (a deployment without
 * the route) reads as "no data".
 */
import { JobsApiError, type JobsClient, type MetricsHistory } from '@tiered-job-queue/client';

export type MetricsPoint = MetricsHistory['points'][number];

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
  client: JobsClient,
  range: MetricsRange,
  now = new Date(),
): Promise<MetricsPoint[] | null> {
  try {
    const history = await client.metrics({
      from: new Date(now.getTime() - range.seconds * 1000).toISOString(),
      to: now.toISOString(),
      step: range.step,
    });
    return history.points;
  } catch (error) {
    if (error instanceof JobsApiError && error.status === 404) return null;
    throw error;
  }
}
