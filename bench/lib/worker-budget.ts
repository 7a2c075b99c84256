/**
 * A short Lambda time limit for chosen jobs only: what WORKER_BUDGET_SECONDS does for the whole local
 * stack, applied to the worker invocations whose job `applies` chooses (the worker's batch size is 1), so a
 * durable job continues in fresh invocations while the other shapes keep the deployed 900 s. The worker
 * reads the invocation's remaining time from its Lambda context when a record starts
 * (adapters/sqs/job-batch.ts); this middleware hands it a context whose countdown starts at `budgetMs`.
 */
import type middy from '@middy/core';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { parseJobMessage } from '../../functions/adapters/sqs/dispatcher.ts';

type WorkerHandler = middy.MiddyfiedHandler<SQSEvent, SQSBatchResponse, Error, Context>;

export async function shortenWorkerBudget(
  applies: (jobId: string) => boolean,
  budgetMs: number,
): Promise<void> {
  const worker = (await import('../../functions/handlers/worker.ts')) as { handler: WorkerHandler };
  worker.handler.use({
    before: async (request) => {
      const chosen = request.event.Records.some((record: SQSRecord) => {
        const message = parseJobMessage(record.body);
        return message !== null && applies(message.jobId);
      });
      if (!chosen) return;
      const real = request.context;
      const endsAt = Date.now() + budgetMs;
      request.context = {
        ...real,
        getRemainingTimeInMillis: () => Math.min(real.getRemainingTimeInMillis(), endsAt - Date.now()),
      };
    },
  });
}
