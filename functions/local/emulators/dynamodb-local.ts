import { type ChildProcess, spawn } from 'node:child_process';
import { mkdir } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { localClientConfig } from '../local-aws.ts';
import { launcherArgs } from './loopback-launcher.ts';

/**
 * DynamoDB Local (the official jar, shipped inside `amplify-dynamodb-simulator`) as a child process,
 * listening on 127.0.0.1 only and exiting with its parent (see LoopbackDynamoDbLocal.java).
 * One process serves every table of a run; `-sharedDb` makes it ignore region and credentials so
 * every client sees the same tables.
 */

// Generous: on a busy machine (tests of several projects at once) the JVM can take a minute to answer.
const START_TIMEOUT_MS = 120_000;
const STOP_GRACE_MS = 5_000;
const LOOPBACK = '127.0.0.1';
const OUTPUT_TAIL_CHARS = 8_000;
/**
 * The JIT's client compiler only (C1, no C2). DynamoDB Local is a large program whose hot paths the
 * optimising C2 compiler kept recompiling for minutes: measured on 300 echo jobs at 20 in flight, C2's
 * threads took 33 of the JVM's 82 ms of CPU per job. With C1 only the JVM took 53 ms per job (its request
 * and SQLite threads about 10% slower than with C2's code), and it starts sooner (about 18 s against 24-29 s
 * on a loaded 2-core machine). Runs of the local stack and the tests are minutes long, so they never
 * earn back what C2 costs.
 */
const JVM_OPTIONS = ['-XX:TieredStopAtLevel=1'];

export interface DynamoDbLocalOptions {
  /** 0 or undefined picks a free port. */
  port?: number;
  /** Persist tables to this directory (created if missing); in-memory when undefined. */
  dataDir?: string;
}

export interface DynamoDbLocal {
  endpoint: string;
  port: number;
  stop(): Promise<void>;
}

export class JavaMissingError extends Error {
  readonly code = 'JAVA_MISSING';
  constructor() {
    super(
      'Java 11+ is required for DynamoDB Local, but `java` was not found on PATH. ' +
        'On Debian/Ubuntu install it with: apt-get install -y openjdk-17-jre-headless',
    );
    this.name = 'JavaMissingError';
  }
}

export class DynamoDbLocalStartError extends Error {
  readonly code = 'DYNAMODB_LOCAL_START_FAILED';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'DynamoDbLocalStartError';
  }
}

export async function startDynamoDbLocal(opts: DynamoDbLocalOptions = {}): Promise<DynamoDbLocal> {
  // DynamoDB Local writes dynamodb-local-metadata.json into its working directory (even with telemetry
  // off); keep it next to the data, or out of the repository when in memory.
  const workDir = opts.dataDir ? resolve(opts.dataDir) : join(tmpdir(), 'dynamodb-local');
  await mkdir(workDir, { recursive: true });
  const launchArgs = { workDir, storageArgs: opts.dataDir ? ['-dbPath', workDir] : ['-inMemory'] };
  if (opts.port) return launch(opts.port, launchArgs);
  // A port we picked can be taken by someone else before the JVM binds it; pick again in that case.
  for (let attempt = 1; ; attempt++) {
    try {
      return await launch(await findFreePort(), launchArgs);
    } catch (err) {
      const portTaken =
        err instanceof DynamoDbLocalStartError && /BindException|Failed to bind/.test(err.message);
      if (!portTaken || attempt >= 3) throw err;
    }
  }
}

async function launch(
  port: number,
  { workDir, storageArgs }: { workDir: string; storageArgs: string[] },
): Promise<DynamoDbLocal> {
  const emulatorDir = join(
    dirname(createRequire(import.meta.url).resolve('amplify-dynamodb-simulator/package.json')),
    'emulator',
  );
  // Through LoopbackDynamoDbLocal.java (see loopback-launcher.ts): DynamoDB Local has no option to bind an
  // address, and the launcher also makes the JVM exit when our end of its stdin closes.
  const child = spawn(
    'java',
    [
      `-Djava.library.path=${join(emulatorDir, 'DynamoDBLocal_lib')}`,
      `-Dbind.host=${LOOPBACK}`,
      ...JVM_OPTIONS,
      ...launcherArgs(join(emulatorDir, 'DynamoDBLocal.jar')),
      '-sharedDb',
      // Telemetry would try to reach AWS on every start; useless locally and slow without network.
      '-disableTelemetry',
      '-port',
      String(port),
      ...storageArgs,
    ],
    // stdin stays an open pipe that nothing is written to: it closes when this process dies, however it dies.
    { cwd: workDir, stdio: ['pipe', 'pipe', 'pipe'] },
  );
  const output = captureOutput(child);
  // A parent that exits without calling stop() must not leave a JVM holding the port.
  const killOnParentExit = (): void => {
    child.kill('SIGKILL');
  };
  process.once('exit', killOnParentExit);
  const exited = new Promise<void>((resolveExit) => child.once('close', () => resolveExit()));
  exited.then(() => process.off('exit', killOnParentExit));

  const endpoint = `http://${LOOPBACK}:${port}`;
  const giveUp = new AbortController();
  try {
    await Promise.race([waitUntilAnswering(endpoint, giveUp.signal), failOnStartupError(child, output)]);
  } catch (err) {
    giveUp.abort();
    await terminate(child, exited);
    throw err;
  }

  let stopping: Promise<void> | undefined;
  return {
    endpoint,
    port,
    stop: () => {
      stopping ??= terminate(child, exited);
      return stopping;
    },
  };
}

/** Binds port 0 so the OS picks a free port, then releases it for the caller to use. */
export async function findFreePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => (port ? resolvePort(port) : reject(new Error('could not determine a free port'))));
    });
  });
}

interface OutputTail {
  stdout: string;
  stderr: string;
}

/** Keeps draining both pipes (a full pipe would block the JVM) and remembers the last few KB of each. */
function captureOutput(child: ChildProcess): OutputTail {
  const tail: OutputTail = { stdout: '', stderr: '' };
  child.stdout?.on('data', (chunk: Buffer) => {
    tail.stdout = (tail.stdout + chunk.toString()).slice(-OUTPUT_TAIL_CHARS);
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    tail.stderr = (tail.stderr + chunk.toString()).slice(-OUTPUT_TAIL_CHARS);
  });
  return tail;
}

/**
 * Rejects when the process cannot be spawned, exits before it answers, or its main thread dies (a failed
 * bind, e.g. port taken, kills only the main thread: the JVM stays alive and would never answer).
 * Never resolves otherwise.
 */
function failOnStartupError(child: ChildProcess, output: OutputTail): Promise<never> {
  return new Promise((_, reject) => {
    const details = (): string => output.stderr.trim() || output.stdout.trim() || '(no output)';
    child.once('error', (err: NodeJS.ErrnoException) => {
      reject(
        err.code === 'ENOENT'
          ? new JavaMissingError()
          : new DynamoDbLocalStartError(err.message, { cause: err }),
      );
    });
    child.once('exit', (code, signal) => {
      reject(
        new DynamoDbLocalStartError(
          `DynamoDB Local exited before it was ready (code ${code}, signal ${signal}): ${details()}`,
        ),
      );
    });
    const onStderr = (): void => {
      if (!output.stderr.includes('Exception in thread "main"')) return;
      child.stderr?.off('data', onStderr);
      // Give the rest of the stack trace a moment to arrive so the error shows the cause.
      setTimeout(
        () => reject(new DynamoDbLocalStartError(`DynamoDB Local failed to start: ${details()}`)),
        300,
      );
    };
    child.stderr?.on('data', onStderr);
  });
}

/** Polls ListTables: a listening socket is not enough, the JVM answers requests a moment later. */
async function waitUntilAnswering(endpoint: string, giveUp: AbortSignal): Promise<void> {
  const client = new DynamoDBClient({
    ...localClientConfig(endpoint),
    maxAttempts: 1,
    requestHandler: { connectionTimeout: 1_000, requestTimeout: 2_000, throwOnRequestTimeout: true },
  });
  const deadline = Date.now() + START_TIMEOUT_MS;
  try {
    while (!giveUp.aborted) {
      try {
        await client.send(new ListTablesCommand({ Limit: 1 }));
        return;
      } catch (err) {
        if (Date.now() > deadline || giveUp.aborted) {
          throw new DynamoDbLocalStartError(
            `DynamoDB Local did not answer on ${endpoint} within ${START_TIMEOUT_MS} ms`,
            { cause: err },
          );
        }
        await sleep(200);
      }
    }
  } finally {
    client.destroy();
  }
}

/** SIGTERM, then SIGKILL if the JVM is still alive after the grace period; resolves once it has exited. */
async function terminate(child: ChildProcess, exited: Promise<void>): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return exited;
  child.kill('SIGTERM');
  const escalate = setTimeout(() => child.kill('SIGKILL'), STOP_GRACE_MS);
  escalate.unref();
  await exited;
  clearTimeout(escalate);
}
