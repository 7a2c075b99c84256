/**
 * The key that seals listing cursors (functions/api/sealed-cursor.ts), read once per cold start: from Secrets
 * Manager (CURSOR_SECRET_ARN) when deployed, from CURSOR_SECRET locally (see ./secret.ts).
 */
import { cursorKeyFrom, ENV } from './config.ts';
import { readSecret } from './secret.ts';

export const cursorKey: Buffer = cursorKeyFrom(await readSecret(ENV.cursorSecret));
