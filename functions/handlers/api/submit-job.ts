/** POST /jobs: submit a job; 202 with the job and its Location. */
import { httpHandler } from '../../api/http-handler.ts';
import { json } from '../../api/respond.ts';
import { submitJobSchema } from '../../api/submit-schemas.ts';
import { parseInput } from '../../api/validate.ts';
import { toJobView } from '../../core/job.ts';
import { submitJob } from '../../usecases/submit-job.ts';
import { logger } from '../../wiring/logger.ts';
import { submitDeps } from '../../wiring/submit-deps.ts';

export const handler = httpHandler({ access: 'user', logger, body: true }, async ({ principal, body }) => {
  const input = parseInput(submitJobSchema, body);
  const { job, created } = await submitJob(submitDeps, principal, input);
  // A repeated idempotency key answers 200 with the original job.
  return json(created ? 202 : 200, { job: toJobView(job) }, { location: `/jobs/${job.id}` });
});
