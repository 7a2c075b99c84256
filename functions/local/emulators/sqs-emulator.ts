import { existsSync, realpathSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { buildApp } from 'fauxqs';
import { diskS3Store } from './s3-disk-store.ts';

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
  /** Keep the S3 side's buckets and objects here (s3-disk-store.ts); in memory when undefined. */
  s3DataDir?: string;
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
  await patchQueueClass();
  // fauxqs's own `startFauxqs` listens on 0.0.0.0 whatever it is told, which would open every queue to the
  // developer's network; its app is built here and listens on the loopback address only.
  const app = buildApp({
    // fauxqs logs every request by default; far too noisy for tests and the local runtime.
    logger: false,
    ...(opts.host ? { host: opts.host } : {}),
    // fauxqs also serves S3 (path-style, same port): the payload store's emulator.
    // (fauxqs types `stores` as all three, but makes each one it is not given itself.)
    ...(opts.s3DataDir && { stores: { s3Store: await diskS3Store(opts.s3DataDir) } as never }),
  });
  // As the deployed payload bucket's CORS rule: any origin may GET an object (only a presigned URL reaches
  // one); a browser follows the API's redirect here with `Origin: null`.
  app.addHook('onSend', async (request, reply) => {
    if (request.method === 'GET' && request.headers.origin !== undefined)
      reply.header('access-control-allow-origin', '*');
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

interface PollWaiter {
  resolve(): void;
  timer: ReturnType<typeof setTimeout>;
}

interface QueueInternals {
  messages: unknown[];
  pollWaiters: PollWaiter[];
  isFifo(): boolean;
  processTimers(): void;
  notifyWaiters(): void;
  getAttribute(name: string): string | undefined;
}

type QueuePrototype = Partial<QueueInternals> & { [PATCHED]?: true };

const PATCHED = Symbol.for('tiered-job-queue.fauxqs-patches');

/** Loads fauxqs's queue class and applies the two fixes below, once per process. */
async function patchQueueClass(): Promise<void> {
  // fauxqs does not export its queue class, so it is loaded from the installed file (the same module
  // instance the server uses, since ESM caches by real path).
  const storeFile = findFauxqsFile(join('dist', 'sqs', 'sqsStore.js'));
  const mod: { SqsQueue?: { prototype: QueuePrototype } } = await import(pathToFileURL(storeFile).href);
  const proto = mod.SqsQueue?.prototype;
  for (const method of ['processTimers', 'getAttribute', 'notifyWaiters', 'isFifo'] as const) {
    if (typeof proto?.[method] !== 'function') {
      throw new SqsEmulatorPatchError(`SqsQueue.${method} not found in ${storeFile}`);
    }
  }
  if (!proto || proto[PATCHED]) return;
  refreshCountsOnRead(proto as QueueInternals);
  wakeOnePollPerMessage(proto as QueueInternals);
  proto[PATCHED] = true;
}

/**
 * Workaround for a fauxqs 1.9 bug: a queue moves messages whose delay or visibility timeout has expired
 * back to "visible" only when someone receives (or long-polls) it, so GetQueueAttributes kept
 * reporting them as delayed / in flight indefinitely. Running the same expiry step before a count is
 * read makes ApproximateNumberOfMessages* match SQS. Receive semantics were already correct.
 */
function refreshCountsOnRead(proto: QueueInternals): void {
  const getAttribute = proto.getAttribute;
  proto.getAttribute = function (this: QueueInternals, name: string) {
    if (name.startsWith('ApproximateNumberOfMessages')) this.processTimers();
    return getAttribute.call(this, name);
  };
}

/**
 * fauxqs 1.9 answers every waiting long poll of a queue when one message arrives: all but one of them
 * find nothing and return empty at once, so with 20 poll loops on a queue each message cost about 19
 * empty receives (requests the pollers make again at once). SQS keeps a long poll waiting until a message
 * is there for it or its wait time is over. On a standard queue this wakes only as many waiting polls,
 * oldest first, as there are visible messages not yet promised to a poll already woken; each takes at
 * least one. The others keep waiting, and their own timers still end them at their wait time.
 * A woken poll takes its messages in a microtask after its wake-up (and first runs processTimers, which
 * notifies again: hence the count of woken polls), so the count is cleared once the current task and
 * its microtasks are over. If a woken poll finds nothing after all, it returns empty, as before; a message
 * left visible is offered again by fauxqs's 20 ms timer. FIFO queues (groups can be locked) keep
 * fauxqs's behaviour.
 */
function wakeOnePollPerMessage(proto: QueueInternals): void {
  const notifyAll = proto.notifyWaiters;
  const woken = new WeakMap<QueueInternals, number>();
  proto.notifyWaiters = function (this: QueueInternals) {
    if (this.isFifo()) return notifyAll.call(this);
    const promised = woken.get(this) ?? 0;
    let wake = Math.min(this.messages.length - promised, this.pollWaiters.length);
    if (wake <= 0) return;
    if (promised === 0) setImmediate(() => woken.delete(this));
    woken.set(this, promised + wake);
    while (wake-- > 0) {
      const waiter = this.pollWaiters.shift() as PollWaiter;
      clearTimeout(waiter.timer);
      waiter.resolve();
    }
  };
}

/** fauxqs's exports map only exposes its entry point, so internal files are found on disk. */
export function findFauxqsFile(relative: string): string {
  const searchPaths = createRequire(import.meta.url).resolve.paths('fauxqs') ?? [];
  for (const dir of searchPaths) {
    const candidate = join(dir, 'fauxqs', relative);
    if (existsSync(candidate)) return realpathSync(candidate);
  }
  throw new SqsEmulatorPatchError(`fauxqs/${relative} not found`);
}
