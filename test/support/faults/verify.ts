/**
 * The invariants of a fault run, on the jobs as stored and the ledger: every job reached the terminal
 * state (and error) it was planned to reach, none was lost, none completed twice, no agent ran twice in
 * one attempt, no zombie write was accepted, no retry started before its backoff, the durable jobs' steps
 * ran as planned (verify-durable.ts), and the maintained statistics equal a recount of the jobs.
 */
import { isDeepStrictEqual } from 'node:util';
import { type DynamoDBClient, ScanCommand, type ScanCommandOutput } from '@aws-sdk/client-dynamodb';
import { fromItem } from '../../../functions/adapters/dynamodb/job-item.ts';
import { isTerminal, type Job } from '../../../functions/core/job.ts';
import type { JobStore } from '../../../functions/core/ports.ts';
import { MemoryJobStore } from '../memory-store.ts';
import type { Ledger } from './ledger.ts';
import { type DurableFigures, verifyDurable } from './verify-durable.ts';

/** Every job of the table (a scan is fine in a test harness, never in the product). */
export async function readAllJobs(client: DynamoDBClient, tableName: string): Promise<Job[]> {
  const jobs: Job[] = [];
  let startKey: ScanCommandOutput['LastEvaluatedKey'];
  do {
    const page = await client.send(
      new ScanCommand({
        TableName: tableName,
        FilterExpression: 'sk = :job',
        ExpressionAttributeValues: { ':job': { S: 'JOB' } },
        ExclusiveStartKey: startKey,
        ConsistentRead: true,
      }),
    );
    for (const item of page.Items ?? []) jobs.push(fromItem(item));
    startKey = page.LastEvaluatedKey;
  } while (startKey);
  return jobs;
}

export interface Verdict {
  problems: string[];
  byStatus: Record<string, number>;
  /** Completed jobs whose completion no process saw (a write cut off by a stop; 0 without restarts). */
  unseenCompletions: number;
  agentRuns: number;
  retriedRuns: number;
  /** Seconds until the kept statistics equalled the recount (null: they never did). */
  statsSettledSeconds: number | null;
  /** The durable jobs (verify-durable.ts): continuations, step runs planned and seen, interruptions. */
  durable: DurableFigures;
}

interface Expectation {
  expect?: string;
  expectCode?: string;
}

export async function verify(
  jobs: Job[],
  ledger: Ledger,
  store: JobStore,
  options: {
    submitted: number;
    users: string[];
    requireSeenCompletions: boolean;
    /** How long the statistics may take to catch up with the quiet system (default 60 s). */
    statsTimeoutMs?: number;
  },
): Promise<Verdict> {
  const problems: string[] = [];
  const say = (list: string[], what: string) => {
    if (list.length > 0) problems.push(`${list.length} ${what}: ${list.slice(0, 8).join('; ')}`);
  };
  if (jobs.length !== options.submitted)
    problems.push(`${options.submitted} jobs submitted but ${jobs.length} stored`);
  say(
    jobs.filter((job) => !isTerminal(job.status)).map((job) => `${job.id} ${job.status}`),
    'jobs lost (not terminal)',
  );
  say(
    jobs
      .filter((job) => {
        const { expect, expectCode } = job.params as Expectation;
        return job.status !== expect || (expectCode !== undefined && job.error?.code !== expectCode);
      })
      .map((job) => {
        const { expect, expectCode, fault } = job.params as Expectation & { fault?: string };
        return `${job.id} ${job.status}/${job.error?.code ?? '-'} (expected ${expect}/${expectCode ?? '-'}; ${job.type}/${job.command}, fault ${fault ?? 'none'}, attempt ${job.attempt}, continuations ${job.continuations ?? 0})`;
      }),
    'jobs ended otherwise than planned',
  );
  say(
    [...ledger.completions].filter(([, n]) => n > 1).map(([id, n]) => `${id} ×${n}`),
    'jobs completed more than once',
  );
  const unseen = jobs.filter((job) => job.status === 'completed' && !ledger.completions.has(job.id));
  if (options.requireSeenCompletions)
    say(
      unseen.map((job) => job.id),
      'completed jobs whose completion was never accepted',
    );
  say(
    [...ledger.agentRuns]
      .filter(([, n]) => n > 1)
      .map(([key, n]) => `${key} ×${n} (${(ledger.runStarts.get(key) ?? []).join('; ')})`),
    'agent runs repeated within one attempt',
  );
  say(ledger.acceptedZombieWrites, 'zombie writes accepted');
  say(ledger.earlyClaims, 'retries started before their backoff');
  const durable = verifyDurable(jobs, ledger);
  problems.push(...durable.problems);

  const started = Date.now();
  const statsProblems = await statsAgainstRecount(
    jobs,
    store,
    options.users,
    options.statsTimeoutMs ?? 60_000,
  );
  problems.push(...statsProblems);

  const byStatus: Record<string, number> = {};
  for (const job of jobs) byStatus[job.status] = (byStatus[job.status] ?? 0) + 1;
  return {
    problems,
    byStatus,
    unseenCompletions: unseen.length,
    statsSettledSeconds: statsProblems.length === 0 ? (Date.now() - started) / 1000 : null,
    agentRuns: [...ledger.agentRuns.values()].reduce((a, b) => a + b, 0),
    retriedRuns: jobs.reduce((sum, job) => sum + Math.max(0, job.attempt - 1), 0),
    durable: durable.figures,
  };
}

/**
 * The kept statistics (all users, and each user) against a recount of the jobs, polled until they are
 * equal or the time is up: statistics may lag the jobs by a few seconds, but must catch up once the
 * system is quiet. Returns the differences still left at the end (none when equal).
 */
async function statsAgainstRecount(
  jobs: Job[],
  store: JobStore,
  users: string[],
  timeoutMs: number,
): Promise<string[]> {
  const reference = new MemoryJobStore();
  for (const job of jobs) reference.jobs.set(job.id, job);
  const scopes = [{ all: true } as const, ...users.map((userId) => ({ userId }))];
  const until = Date.now() + timeoutMs;
  for (;;) {
    const differences: string[] = [];
    for (const scope of scopes) {
      const [kept, recount] = await Promise.all([store.readStats(scope), reference.readStats(scope)]);
      if (!isDeepStrictEqual(kept, recount))
        differences.push(
          `stats ${JSON.stringify(scope)}: kept ${JSON.stringify(kept)} != recount ${JSON.stringify(recount)}`,
        );
    }
    if (differences.length === 0 || Date.now() > until) return differences;
    await new Promise((resolve) => setTimeout(resolve, 1000));
  }
}
