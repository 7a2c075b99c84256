/** Parses input with a zod schema; failures become 400 validation_error naming each bad field. */
import { ValidationError } from '../core/errors.ts';
import * as z from '../core/zod.ts';
import { issuesOf } from '../usecases/job-checks.ts';

export function parseInput<S extends z.core.$ZodType>(schema: S, value: unknown, prefix = ''): z.output<S> {
  const result = z.safeParse(schema, value);
  if (!result.success) throw new ValidationError(issuesOf(result.error, prefix));
  return result.data;
}
