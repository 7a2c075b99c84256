/**
 * The size DynamoDB bills an item by (its documented rules): attribute names plus values, strings as
 * UTF-8, numbers about one byte per two digits plus one, 3 bytes of overhead per map or list and 1 per
 * element. Write units are this size rounded up to 1 KB (doubled inside transactions).
 */
import type { AttributeValue } from '@aws-sdk/client-dynamodb';

function valueBytes(value: AttributeValue): number {
  if (value.S !== undefined) return Buffer.byteLength(value.S);
  if (value.N !== undefined) {
    const digits = value.N.replace(/^-/, '').replace('.', '').replace(/^0+/, '');
    return Math.ceil(digits.length / 2) + 1;
  }
  if (value.B !== undefined) return value.B.length;
  if (value.BOOL !== undefined || value.NULL !== undefined) return 1;
  if (value.M)
    return (
      3 +
      Object.entries(value.M).reduce((sum, [name, v]) => sum + Buffer.byteLength(name) + valueBytes(v) + 1, 0)
    );
  if (value.L) return 3 + value.L.reduce((sum, v) => sum + valueBytes(v) + 1, 0);
  if (value.SS) return value.SS.reduce((sum, v) => sum + Buffer.byteLength(v), 0);
  if (value.NS) return value.NS.reduce((sum, v) => sum + valueBytes({ N: v }), 0);
  return 0;
}

export function itemBytes(item: Record<string, AttributeValue>): number {
  return Object.entries(item).reduce(
    (sum, [name, value]) => sum + Buffer.byteLength(name) + valueBytes(value),
    0,
  );
}
