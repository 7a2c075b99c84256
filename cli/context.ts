/**
 * What every command needs: the settings (flags over environment over local defaults), a JobsClient, the
 * output streams, and the exit code the run ends with.
 * Settings: --api-url/JOBS_API_URL (http://127.0.0.1:3000), --ws-url/JOBS_WS_URL (ws://127.0.0.1:3001),
 * --token/JOBS_TOKEN; without a token the CLI signs one for `demo-user` with the local runtime's key (or
 * JWT_SECRET), with the admin role for admin commands.
 */
import { JobsClient } from '@tiered-job-queue/client';
import type { Command } from 'commander';
import { signToken } from '../functions/adapters/auth/jwt-verifier.ts';
import { localJwtSecret } from '../functions/local/local-secret.ts';

export interface Io {
  stdout: NodeJS.WritableStream & { isTTY?: boolean };
  stderr: NodeJS.WritableStream & { isTTY?: boolean };
  env: NodeJS.ProcessEnv;
}

export interface GlobalOptions {
  apiUrl?: string;
  wsUrl?: string;
  token?: string;
  json?: boolean;
}

export const LOCAL_USER = 'demo-user';

export class CliContext {
  exitCode = 0;

  constructor(
    readonly io: Io,
    private readonly program: Command,
  ) {}

  get options(): GlobalOptions {
    return this.program.opts<GlobalOptions>();
  }

  get json(): boolean {
    return this.options.json === true;
  }

  settings() {
    const { env } = this.io;
    return {
      apiUrl: this.options.apiUrl ?? env.JOBS_API_URL ?? 'http://127.0.0.1:3000',
      wsUrl: this.options.wsUrl ?? env.JOBS_WS_URL ?? 'ws://127.0.0.1:3001',
      token: this.options.token ?? (env.JOBS_TOKEN || undefined),
    };
  }

  client({ admin = false } = {}): JobsClient {
    const { apiUrl, wsUrl, token } = this.settings();
    let local: Promise<string> | undefined;
    const localToken = () => {
      const secret = this.io.env.JWT_SECRET || localJwtSecret(this.io.env.LOCAL_STATE_DIR || undefined);
      local ??= signToken(secret, { sub: LOCAL_USER, admin, expiresIn: '1h' });
      return local;
    };
    return new JobsClient({ apiUrl, wsUrl, getToken: () => token ?? localToken() });
  }

  /** Data: stdout. */
  out(line: string): void {
    this.io.stdout.write(`${line}\n`);
  }

  /** The API's JSON, one object per line. */
  outJson(value: unknown): void {
    this.out(JSON.stringify(value));
  }

  /** Messages for people: stderr. */
  say(line: string): void {
    this.io.stderr.write(`${line}\n`);
  }
}
