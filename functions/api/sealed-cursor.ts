/**
 * Opaque listing cursors: the store's position (DynamoDB key attributes) sealed with AES-256-GCM under the
 * deployment's cursor key. Callers see random-looking text; a cursor that was altered, made with another
 * key, or issued for another listing (another user, filter or route: the `scope`, bound as associated data)
 * does not open and is a 400, like any malformed one.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { ValidationError } from '../core/errors.ts';

const VERSION = 1;
const IV_BYTES = 12;
const TAG_BYTES = 16;

export function sealCursor(key: Buffer, scope: string, cursor: string | null): string | null {
  if (cursor === null) return null;
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(Buffer.from(`${VERSION}:${scope}`));
  const sealed = Buffer.concat([cipher.update(cursor, 'utf8'), cipher.final()]);
  return Buffer.concat([Buffer.from([VERSION]), iv, cipher.getAuthTag(), sealed]).toString('base64url');
}

export function openCursor(key: Buffer, scope: string, cursor: string | undefined): string | undefined {
  if (cursor === undefined) return undefined;
  const raw = Buffer.from(cursor, 'base64url');
  if (raw[0] === VERSION && raw.length > 1 + IV_BYTES + TAG_BYTES) {
    try {
      const decipher = createDecipheriv('aes-256-gcm', key, raw.subarray(1, 1 + IV_BYTES));
      decipher.setAAD(Buffer.from(`${VERSION}:${scope}`));
      decipher.setAuthTag(raw.subarray(1 + IV_BYTES, 1 + IV_BYTES + TAG_BYTES));
      const body = raw.subarray(1 + IV_BYTES + TAG_BYTES);
      return Buffer.concat([decipher.update(body), decipher.final()]).toString('utf8');
    } catch {
      // fall through to the validation error
    }
  }
  throw new ValidationError([{ path: 'cursor', message: 'is not a cursor from this listing' }]);
}
