/** GET /jobs/{id}/params: the job's params (200), or a 303 to a short-lived link when they are kept in S3. */
import { httpHandler } from '../../api/http-handler.ts';
import { jobIdSchema } from '../../api/path-schemas.ts';
import { payloadResponse } from '../../api/payload-response.ts';
import { parseInput } from '../../api/validate.ts';
import { readPayload } from '../../usecases/payloads.ts';
import { getReadableJob } from '../../usecases/read-jobs.ts';
import { logger } from '../../wiring/logger.ts';
import { payloadLinks } from '../../wiring/payload-links.ts';
import { jobStore } from '../../wiring/store.ts';

export const handler = httpHandler({ access: 'user', logger }, async ({ principal, path }) => {
  const id = parseInput(jobIdSchema, path.id, 'id');
  const job = await getReadableJob(jobStore, principal, id);
  return payloadResponse(await readPayload(payloadLinks, job, 'params'));
});
