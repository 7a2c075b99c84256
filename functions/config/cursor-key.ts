/**
 * The key that seals listing cursors (functions/api/sealed-cursor.ts), read once at load. Today from the
 * environment (CURSOR_SECRET); to read it from Secrets Manager instead, change `cursorKeyFrom` alone.
 */
import { cursorKeyFrom } from './config.ts';

export const cursorKey: Buffer = cursorKeyFrom();
