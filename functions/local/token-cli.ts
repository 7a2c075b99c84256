/** `npm run --silent token -- --user <id> [--admin]`: prints only a bearer token for the local runtime. */
import { parseArgs } from 'node:util';
import { signToken } from '../adapters/auth/jwt-verifier.ts';
import { localJwtSecret } from './local-secret.ts';

const { values } = parseArgs({
  options: {
    user: { type: 'string' },
    admin: { type: 'boolean', default: false },
    expires: { type: 'string', default: '30d' },
  },
});
if (!values.user) {
  process.stderr.write('usage: npm run --silent token -- --user <id> [--admin] [--expires 30d]\n');
  process.exit(2);
}
process.stdout.write(
  `${await signToken(localJwtSecret(), { sub: values.user, admin: values.admin, expiresIn: values.expires })}\n`,
);
