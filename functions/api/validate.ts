/** Parses input with a zod schema; failures become 400 validation_error naming each bad field. */
import type { z } from 'zod';
import { ValidationError } from '../core/errors.ts';
import { issuesOf } from '../usecases/submit-job.ts';

export function parseInput<S extends z.ZodType>(schema: S, value: unknown, prefix = ''): z.output<S> {
  const result = schema.safeParse(value);
  if (!result.success) throw new ValidationError(issuesOf(result.error, prefix));
  return result.data;
}
