/**
 * The small schema builders the API's schemas share (names, dates, integers, bounded text, job ids). A
 * module of its own so that each handler's bundle builds only the schemas of its route (schemas.ts).
 */
import * as z from '../core/zod.ts';

export const name = z
  .string()
  .check(
    z.minLength(1),
    z.maxLength(64),
    z.regex(/^[A-Za-z0-9][A-Za-z0-9_.-]*$/, 'letters, digits, "_", "-" and "." only'),
  );
export const isoDate = z.iso.datetime({ offset: true });
export const int = (min?: number, max?: number) =>
  z
    .number()
    .check(
      z.int(),
      ...(min === undefined ? [] : [z.minimum(min)]),
      ...(max === undefined ? [] : [z.maximum(max)]),
    );
export const text = (min: number, max: number) => z.string().check(z.minLength(min), z.maxLength(max));
export const jobId = () => text(1, 64);
