/**
 * `npm run --silent token -- --user <id> [--admin]`: prints only a bearer token, signed with the local
 * runtime's key, or with JWT_SECRET when set (e.g. the secret of a deployed hs256 stack).
 */
import { parseArgs } from 'node:util';
import { DEFAULT_LOCAL_TOKEN_LIFETIME, signToken } from '../adapters/auth/jwt-verifier.ts';
import { localJwtSecret } from './local-secret.ts';

const { values } = parseArgs({
  options: {
    user: { type: 'string' },
    admin: { type: 'boolean', default: false },
    // At most JWT_MAX_LIFETIME_SECONDS (24 h by default): longer tokens are refused.
    expires: { type: 'string', default: DEFAULT_LOCAL_TOKEN_LIFETIME },
  },
});
if (!values.user) {
  process.stderr.write('usage: npm run --silent token -- --user <id> [--admin] [--expires 12h]\n');
  process.exit(2);
}
const secret = process.env.JWT_SECRET || localJwtSecret(process.env.LOCAL_STATE_DIR || undefined);
process.stdout.write(
  `${await signToken(secret, { sub: values.user, admin: values.admin, expiresIn: values.expires })}\n`,
);
