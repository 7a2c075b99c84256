/** `demo/blob {bytes}`: a result of any size up to 50 MB, `{"data": "<bytes × x>"}` (large results go to S3). */
import * as z from '../core/zod.ts';
import { command } from './registry.ts';

export const MAX_BLOB_BYTES = 50_000_000;

export const blob = command({
  description: `Returns \`{"data": "x…"}\` with \`bytes\` characters (0 to ${MAX_BLOB_BYTES}): a large result.`,
  params: z.object({ bytes: z.int().check(z.minimum(0), z.maximum(MAX_BLOB_BYTES)) }),
  run: async ({ bytes }) => ({ data: 'x'.repeat(bytes) }),
});
