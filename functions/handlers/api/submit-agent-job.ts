/** POST /agents/{type}/{command}: submit a job for one agent command; as POST /jobs. */
import { httpHandler } from '../../api/http-handler.ts';
import { agentPathSchema } from '../../api/path-schemas.ts';
import { json } from '../../api/respond.ts';
import { submitAgentJobSchema } from '../../api/submit-schemas.ts';
import { parseInput } from '../../api/validate.ts';
import { toJobView } from '../../core/job.ts';
import { submitJob } from '../../usecases/submit-job.ts';
import { logger } from '../../wiring/logger.ts';
import { submitDeps } from '../../wiring/submit-deps.ts';

export const handler = httpHandler(
  { access: 'user', logger, body: true },
  async ({ principal, body, path }) => {
    const { type, command } = parseInput(agentPathSchema, path);
    const options = parseInput(submitAgentJobSchema, body);
    const { job, created } = await submitJob(submitDeps, principal, { ...options, type, command });
    // A repeated idempotency key answers 200 with the original job.
    return json(created ? 202 : 200, { job: toJobView(job) }, { location: `/jobs/${job.id}` });
  },
);
