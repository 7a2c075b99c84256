/** Opaque pagination cursors: a DynamoDB LastEvaluatedKey, bound to the index partition it came from. */
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { ValidationError } from '../../core/errors.ts';

export function encodeCursor(key: Record<string, AttributeValue> | undefined): string | null {
  return key ? Buffer.from(JSON.stringify(key)).toString('base64url') : null;
}

/** Rejects cursors that are malformed or belong to another query (e.g. another user's list). */
export function decodeCursor(
  cursor: string | undefined,
  partition: { name: string; value: string },
): Record<string, AttributeValue> | undefined {
  if (cursor === undefined) return undefined;
  try {
    const key = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as Record<
      string,
      AttributeValue
    >;
    const value = key[partition.name];
    if (value && 'S' in value && value.S === partition.value) return key;
  } catch {
    // fall through to the validation error
  }
  throw new ValidationError([{ path: 'cursor', message: 'is not a cursor from this listing' }]);
}
