/**
 * `npm start`: the whole system on this machine. HTTP API on PORT (3000), WebSocket API on WS_PORT (3001),
 * the dashboard on DASHBOARD_PORT (3002),
 * state under .local/ (or LOCAL_STATE_DIR) unless LOCAL_IN_MEMORY=1 (or --in-memory).
 */
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { DEFAULT_LOCAL_TOKEN_LIFETIME, signToken } from '../adapters/auth/jwt-verifier.ts';
import { intEnv } from '../wiring/env.ts';
import { JavaMissingError } from './emulators/dynamodb-local.ts';
import { localDir, localJwtSecret, localSecret } from './local-secret.ts';
import { exitGracefullyOnSignals, muteStructuredLogs } from './process-lifecycle.ts';
import { startLocalStack } from './stack.ts';

const { values } = parseArgs({ options: { 'in-memory': { type: 'boolean', default: false } } });
const inMemory = values['in-memory'] || process.env.LOCAL_IN_MEMORY === '1';
const port = Number(process.env.PORT ?? 3000);
const host = process.env.HOST ?? '127.0.0.1';
const stateDir = process.env.LOCAL_STATE_DIR ?? localDir;
// The deployed timings by default (infra/function-settings.ts); set these for quicker local feedback.
const timings = {
  ...(process.env.HEARTBEAT_SECONDS && { heartbeatSeconds: intEnv('HEARTBEAT_SECONDS', 20) }),
  ...(process.env.STALE_AFTER_SECONDS && { staleAfterSeconds: intEnv('STALE_AFTER_SECONDS', 120) }),
  // How often the maintenance run (due schedules, recovery) fires; every 60 s as deployed.
  ...(process.env.MAINTENANCE_INTERVAL_SECONDS && {
    maintenanceIntervalMs: intEnv('MAINTENANCE_INTERVAL_SECONDS', 60) * 1000,
  }),
  // The simulated time limit of a worker invocation (Lambda's is 900 s): durable jobs continue past it.
  ...(process.env.WORKER_BUDGET_SECONDS && { workerBudgetSeconds: intEnv('WORKER_BUDGET_SECONDS', 900) }),
};

let stopping = false;
try {
  const secret = localJwtSecret(stateDir);
  const stack = await startLocalStack({
    port,
    wsPort: Number(process.env.WS_PORT ?? 3001),
    dashboardPort: Number(process.env.DASHBOARD_PORT ?? 3002),
    host,
    jwtSecret: secret,
    cursorSecret: localSecret('cursor-secret', stateDir),
    webhookSealingSecret: localSecret('webhook-sealing-secret', stateDir),
    ...timings,
    ...(!inMemory && { dataDir: join(stateDir, 'dynamodb'), s3DataDir: join(stateDir, 's3') }),
    // Errors of pollers and readers that meet the emulators going away during a stop are expected.
    onError: (error) => {
      if (!stopping)
        process.stderr.write(`local stack: ${error instanceof Error ? error.message : String(error)}\n`);
    },
  });
  const token = await signToken(secret, { sub: 'demo-user' });
  process.stdout.write(
    [
      '',
      `HTTP API   ${stack.httpUrl}`,
      `API docs   ${stack.httpUrl}/docs`,
      `WebSocket  ${stack.wsUrl}/?token=<token>`,
      `Dashboard  ${stack.dashboardUrl}#token=${token}`,
      `State      ${inMemory ? 'in memory (lost on exit)' : stateDir}`,
      '',
      `Demo token (user demo-user, valid ${DEFAULT_LOCAL_TOKEN_LIFETIME}; 'npm run --silent token' makes another):`,
      token,
      '',
      'Try:',
      `  export TOKEN=${token.slice(0, 12)}...   # the token above`,
      `  curl -s -X POST ${stack.httpUrl}/jobs -H "Authorization: Bearer $TOKEN" -H 'content-type: application/json' \\`,
      `       -d '{"type":"demo","command":"sleep","params":{"seconds":10}}'`,
      '',
      'Ready. Ctrl-C to stop.',
      '',
    ].join('\n'),
  );
  exitGracefullyOnSignals({
    deadlineMs: 15_000,
    stop: async (reason) => {
      stopping = true;
      process.stdout.write(`\n${reason}: stopping (running jobs are recovered on the next start)...\n`);
      muteStructuredLogs();
      await stack.stop();
      process.stdout.write('Stopped.\n');
    },
  });
} catch (error) {
  if (error instanceof JavaMissingError) {
    process.stderr.write(`\n${error.message}\n`);
    process.exit(1);
  }
  throw error;
}
