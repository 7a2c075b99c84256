/**
 * `npm start` in a child process, as a user runs it: the banner's URLs and token, the process tree (npm,
 * the server it execs, DynamoDB Local's JVM) and helpers to check that all of it is gone.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { connect } from 'node:net';
import { expect } from 'vitest';
import { projectRoot } from '../../functions/local/local-secret.ts';
import { eventually } from './http-client.ts';

export interface RunningStart {
  child: ChildProcess;
  httpUrl: string;
  wsUrl: string;
  token: string;
  npmPid: number;
  serverPid: number;
  jvmPid: number;
  output(): string;
}

const processes = (): Array<{ pid: number; ppid: number; args: string }> =>
  execFileSync('ps', ['-eo', 'pid=,ppid=,args='], { encoding: 'utf8' })
    .split('\n')
    .map((line) => /^\s*(\d+)\s+(\d+)\s+(.*)$/.exec(line))
    .filter((match) => match !== null)
    .map((match) => ({ pid: Number(match[1]), ppid: Number(match[2]), args: match[3] ?? '' }));

export const isAlive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

/** True when nothing accepts connections on the URL's port any more. */
export const portClosed = (url: string): Promise<boolean> =>
  new Promise((resolve) => {
    const { hostname, port } = new URL(url);
    const socket = connect(Number(port), hostname);
    socket.once('connect', () => {
      socket.destroy();
      resolve(false);
    });
    socket.once('error', () => resolve(true));
  });

export async function npmStart(env: Record<string, string>): Promise<RunningStart> {
  const child = spawn('npm', ['start'], {
    cwd: projectRoot,
    env: { ...process.env, PORT: '0', WS_PORT: '0', DASHBOARD_PORT: '0', LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  await eventually(async () => output.includes('Ready.') || child.exitCode !== null, 180_000, 200);
  if (child.exitCode !== null) throw new Error(`npm start exited: ${output}`);
  const npmPid = child.pid as number;
  const tree = processes();
  const server = tree.find((entry) => entry.ppid === npmPid && entry.args.includes('main.ts'));
  const jvm = tree.find((entry) => entry.ppid === server?.pid && entry.args.startsWith('java'));
  if (!server || !jvm) throw new Error(`process tree not as expected under npm ${npmPid}`);
  return {
    child,
    npmPid,
    serverPid: server.pid,
    jvmPid: jvm.pid,
    httpUrl: /HTTP API\s+(\S+)/.exec(output)?.[1] ?? '',
    wsUrl: /WebSocket\s+(ws:\/\/[^/\s]+)/.exec(output)?.[1] ?? '',
    token: /Demo token[^\n]*\n(\S+)/.exec(output)?.[1] ?? '',
    output: () => output,
  };
}

/** Waits until no process of the run is left and its ports refuse connections. */
export async function gone(run: RunningStart, timeoutMs = 30_000): Promise<void> {
  await eventually(
    async () =>
      ![run.npmPid, run.serverPid, run.jvmPid].some(isAlive) &&
      (await portClosed(run.httpUrl)) &&
      (await portClosed(run.wsUrl.replace(/^ws/, 'http'))),
    timeoutMs,
    200,
  );
}

/** Kills whatever is left of a run (after a failed test). */
export function killAll(run: RunningStart): void {
  for (const pid of [run.jvmPid, run.serverPid, run.npmPid]) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {}
  }
}

/** What a stop must not print: connection errors, abandoned heartbeats, poller errors, stack traces. */
export const SHUTDOWN_NOISE = /ECONNREFUSED|heartbeat write failed|local stack:|\n\s+at /;

/** A way to stop `npm start`: a signal to npm or to the server it execs. */
export interface StopHow {
  target: 'npm' | 'server';
  signal: NodeJS.Signals;
}

/**
 * Stops the run as told and checks that it ended cleanly: no process and no port left, no noise printed,
 * and (unless killed) the closing message.
 */
export async function stopAndCheck(run: RunningStart, { target, signal }: StopHow): Promise<void> {
  process.kill(target === 'npm' ? run.npmPid : run.serverPid, signal);
  await gone(run);
  expect(run.output()).not.toMatch(SHUTDOWN_NOISE);
  if (signal !== 'SIGKILL') expect(run.output()).toContain('Stopped.');
}
