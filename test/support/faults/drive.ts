/** Drives a fault run through the local stack's HTTP API: submits the planned jobs, waits for the end. */
import { signToken } from '../../../functions/adapters/auth/jwt-verifier.ts';
import type { JobStore } from '../../../functions/core/ports.ts';
import { type FaultMix, Planner } from './plan.ts';

export interface SubmitOptions {
  httpUrl: string;
  jwtSecret: string;
  users: number;
  from?: number;
  count: number;
  mix: FaultMix;
  /** Requests in flight at once. */
  concurrency: number;
  planner?: Planner;
  /**
   * Asked before each job; resolves once it may be submitted (flow control), or to false to stop
   * submitting (the jobs not yet submitted are left for a later call with `from`).
   */
  admit?: () => Promise<boolean>;
}

export const userIds = (users: number) => Array.from({ length: users }, (_, u) => `fault-user-${u}`);

/**
 * Submits jobs `from`..`from + count - 1` (fewer if `admit` says stop); returns how many were accepted
 * (every one submitted must be).
 */
export async function submitPlanned(options: SubmitOptions): Promise<number> {
  const planner = options.planner ?? new Planner(options.mix, options.users);
  const tokens = new Map<string, string>();
  for (const user of userIds(options.users))
    tokens.set(user, await signToken(options.jwtSecret, { sub: user }));
  const from = options.from ?? 0;
  let next = from;
  let accepted = 0;
  const lane = async () => {
    while (next < from + options.count) {
      if (options.admit && !(await options.admit())) return;
      if (next >= from + options.count) return;
      const i = next++;
      const planned = planner.plan(i);
      // An idempotency key per job makes a retry after a dropped connection safe: 200 with the same job.
      const body = JSON.stringify({ ...planned.body, idempotencyKey: `fault-job-${i}` });
      const post = () =>
        fetch(`${options.httpUrl}/jobs`, {
          method: 'POST',
          headers: {
            authorization: `Bearer ${tokens.get(planned.user)}`,
            'content-type': 'application/json',
          },
          body,
        });
      // Dropped connections and 5xx (a slow emulator) are retried; the key makes that safe.
      let response: Response | undefined;
      let text = '';
      for (let attempt = 1; ; attempt++) {
        response = await post().catch((error: unknown) => {
          if (attempt >= 6) throw error;
          return undefined;
        });
        text = response ? await response.text() : '';
        if (response && (response.status < 500 || attempt >= 6)) break;
        await new Promise((resolve) => setTimeout(resolve, 500 * attempt));
      }
      if (response.status !== 202 && response.status !== 200)
        throw new Error(`job ${i} refused: ${response.status} ${text}`);
      planner.submitted((JSON.parse(text) as { job: { id: string } }).job.id, planned);
      accepted += 1;
    }
  };
  await Promise.all(Array.from({ length: options.concurrency }, lane));
  return accepted;
}

/** Waits (on the maintained counters: one query) until `total` jobs are terminal or the time is up. */
export async function waitForTerminal(
  store: JobStore,
  total: number,
  timeoutMs: number,
  onProgress?: (terminal: number) => void,
): Promise<number> {
  const until = Date.now() + timeoutMs;
  let terminal = 0;
  while (Date.now() < until) {
    const { byStatus } = await store.readStats({ all: true });
    terminal = byStatus.completed + byStatus.failed + byStatus.dead + byStatus.cancelled;
    onProgress?.(terminal);
    if (terminal >= total) return terminal;
    await new Promise((resolve) => setTimeout(resolve, 1000));
  }
  return terminal;
}
