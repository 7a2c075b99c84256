import { existsSync, realpathSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { buildApp } from 'fauxqs';

/**
 * SQS emulator: fauxqs 1.x in-process. It speaks the AWS JSON protocol that SDK v3 uses.
 *
 * State is in memory only: fauxqs 1.x has no persistence. Disk persistence (`dataDir`, SQLite) exists
 * only in fauxqs 2.x, which needs Node >= 22.5 (`node:sqlite`); this project supports Node 20.
 *
 * Give clients `endpoint` explicitly: queue URLs look like
 * `http://sqs.us-east-1.<host>:<port>/000000000000/<name>`, which need not resolve, and SDK v3 routes
 * by queue URL only when no endpoint is configured.
 */

const LOOPBACK = '127.0.0.1';

export interface SqsEmulatorOptions {
  /** 0 or undefined picks a free port. */
  port?: number;
  /** Host name used inside queue URLs (fauxqs `host`, default `localhost`); the server listens on 127.0.0.1 only. */
  host?: string;
}

export interface SqsEmulator {
  endpoint: string;
  port: number;
  stop(): Promise<void>;
}

export class SqsEmulatorPatchError extends Error {
  readonly code = 'SQS_EMULATOR_PATCH_FAILED';
  constructor(detail: string) {
    super(`cannot apply the fauxqs queue-count fix (was fauxqs upgraded?): ${detail}`);
    this.name = 'SqsEmulatorPatchError';
  }
}

export async function startSqsEmulator(opts: SqsEmulatorOptions = {}): Promise<SqsEmulator> {
  await refreshCountsOnRead();
  // fauxqs's own `startFauxqs` listens on 0.0.0.0 whatever it is told, which would open every queue to the
  // developer's network; its app is built here and listens on the loopback address only.
  const app = buildApp({
    // fauxqs logs every request by default; far too noisy for tests and the local runtime.
    logger: false,
    ...(opts.host ? { host: opts.host } : {}),
  });
  await app.listen({ port: opts.port ?? 0, host: LOOPBACK });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  let stopping: Promise<void> | undefined;
  return {
    // 127.0.0.1, not localhost: `localhost` may resolve to ::1 first.
    endpoint: `http://${LOOPBACK}:${port}`,
    port,
    stop: () => {
      stopping ??= app.close();
      return stopping;
    },
  };
}

interface QueueInternals {
  processTimers(): void;
  getAttribute(name: string): string | undefined;
}

const PATCHED = Symbol.for('tiered-job-queue.fauxqs-counts-on-read');

/**
 * Workaround for a fauxqs 1.9 bug: a queue moves messages whose delay or visibility timeout has expired
 * back to "visible" only when someone receives (or long-polls) it, so GetQueueAttributes kept
 * reporting them as delayed / in flight indefinitely. Running the same expiry step before a count is
 * read makes ApproximateNumberOfMessages* match SQS. Receive semantics were already correct.
 * fauxqs does not export its queue class, so it is loaded from the installed file (the same module
 * instance the server uses, since ESM caches by real path).
 */
async function refreshCountsOnRead(): Promise<void> {
  const storeFile = findFauxqsFile(join('dist', 'sqs', 'sqsStore.js'));
  const mod: { SqsQueue?: { prototype: Partial<QueueInternals> & { [PATCHED]?: true } } } = await import(
    pathToFileURL(storeFile).href
  );
  const proto = mod.SqsQueue?.prototype;
  if (!proto || typeof proto.processTimers !== 'function' || typeof proto.getAttribute !== 'function') {
    throw new SqsEmulatorPatchError(`SqsQueue.processTimers/getAttribute not found in ${storeFile}`);
  }
  if (proto[PATCHED]) return;
  const getAttribute = proto.getAttribute;
  proto.getAttribute = function (this: QueueInternals, name: string) {
    if (name.startsWith('ApproximateNumberOfMessages')) this.processTimers();
    return getAttribute.call(this, name);
  };
  proto[PATCHED] = true;
}

/** fauxqs's exports map only exposes its entry point, so internal files are found on disk. */
function findFauxqsFile(relative: string): string {
  const searchPaths = createRequire(import.meta.url).resolve.paths('fauxqs') ?? [];
  for (const dir of searchPaths) {
    const candidate = join(dir, 'fauxqs', relative);
    if (existsSync(candidate)) return realpathSync(candidate);
  }
  throw new SqsEmulatorPatchError(`fauxqs/${relative} not found`);
}
