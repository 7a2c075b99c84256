/**
 * `npm run --silent token -- --user <id> [--admin] [--expires 12h]`: prints only a bearer token, signed
 * with the local runtime's key, or with JWT_SECRET when set (e.g. the secret of a deployed hs256 stack).
 * Exit codes: 0 token printed (or --help), 2 bad arguments.
 */
import { parseArgs } from 'node:util';
import { DEFAULT_LOCAL_TOKEN_LIFETIME, signToken } from '../adapters/auth/jwt-verifier.ts';
import { localJwtSecret } from './local-secret.ts';

const USAGE = `usage: npm run --silent token -- --user <id> [--admin] [--expires <duration>]

Prints a bearer token for the local runtime (signed with the key in .local/, or with JWT_SECRET when set).

  --user <id>          the token's subject (required)
  --admin              allow the /admin routes
  --expires <duration> lifetime, e.g. 1h, 12h (default 12h; at most JWT_MAX_LIFETIME_SECONDS, 24 h)
  -h, --help           show this help
`;

function parse(): { user: string; admin: boolean; expires: string } {
  try {
    const { values } = parseArgs({
      options: {
        user: { type: 'string' },
        admin: { type: 'boolean', default: false },
        expires: { type: 'string', default: DEFAULT_LOCAL_TOKEN_LIFETIME },
        help: { type: 'boolean', short: 'h', default: false },
      },
    });
    if (values.help) {
      process.stdout.write(USAGE);
      process.exit(0);
    }
    if (!values.user) throw new Error('--user is required');
    return { user: values.user, admin: values.admin, expires: values.expires };
  } catch (error) {
    process.stderr.write(`token: ${error instanceof Error ? error.message : String(error)}\n\n${USAGE}`);
    process.exit(2);
  }
}

const { user, admin, expires } = parse();
const secret = process.env.JWT_SECRET || localJwtSecret(process.env.LOCAL_STATE_DIR || undefined);
try {
  process.stdout.write(`${await signToken(secret, { sub: user, admin, expiresIn: expires })}\n`);
} catch (error) {
  // jose refuses a lifetime it cannot read (`--expires soon`): a bad argument, not a crash.
  process.stderr.write(`token: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(2);
}
