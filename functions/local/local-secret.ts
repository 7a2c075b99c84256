/** The local runtime's secrets (signing key, cursor key), kept under .local/ so tokens and cursors survive restarts. */
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const projectRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const localDir = join(projectRoot, '.local');

export const localJwtSecret = (dir = localDir): string => localSecret('jwt-secret', dir);

/** A random secret kept in `dir/name`, created on first use. */
export function localSecret(name: string, dir = localDir): string {
  const file = join(dir, name);
  try {
    return readFileSync(file, 'utf8').trim();
  } catch {
    mkdirSync(dir, { recursive: true });
    const secret = randomBytes(32).toString('hex');
    writeFileSync(file, `${secret}\n`, { mode: 0o600 });
    return secret;
  }
}
