/** The function's root logger; `service` names the function in every entry. */
import { JsonLogger } from '../adapters/logger.ts';

export const logger = new JsonLogger({
  service: process.env.SERVICE_NAME ?? process.env.AWS_LAMBDA_FUNCTION_NAME ?? 'job-queue',
});
