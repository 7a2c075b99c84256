/**
 * How `npm start` ends: Ctrl-C (SIGINT), SIGTERM, SIGHUP (the terminal went away) or the death of the
 * parent process (npm killed, even with SIGKILL: this process is re-parented) all run one graceful stop,
 * bounded by a deadline; a second signal exits at once. The JVM of DynamoDB Local needs nothing from here:
 * it exits by itself when this process's end of its stdin closes, however this process ends.
 */

const SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;
/** How often the parent is checked; Node has no event for "my parent died". */
const PARENT_CHECK_MS = 500;

export interface ShutdownOptions {
  /** Stops everything; the process exits 0 when it resolves, 1 when it fails or overruns the deadline. */
  stop(reason: string): Promise<void>;
  deadlineMs: number;
}

export function exitGracefullyOnSignals({ stop, deadlineMs }: ShutdownOptions): void {
  const parent = process.ppid;
  let stopping = false;
  const shutdown = (reason: string): void => {
    if (stopping) {
      process.exit(130);
      return;
    }
    stopping = true;
    clearInterval(parentWatch);
    setTimeout(() => process.exit(1), deadlineMs).unref();
    stop(reason).then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  for (const signal of SIGNALS) process.on(signal, () => shutdown(signal));
  const parentWatch = setInterval(() => {
    if (process.ppid !== parent) shutdown('parent process exited');
  }, PARENT_CHECK_MS);
  parentWatch.unref();
}

/**
 * Keeps the process's own messages and drops what the abandoned in-flight work logs while the stack stops
 * (a job whose heartbeat meets a stopped emulator): like a Lambda environment that is shut down, that work
 * is simply gone, and the next start recovers its jobs.
 */
export function muteStructuredLogs(): void {
  const write = process.stdout.write.bind(process.stdout);
  process.stdout.write = ((chunk: string | Uint8Array, ...rest: never[]) => {
    if (String(chunk).startsWith('{"level"')) return true;
    return write(chunk, ...rest);
  }) as typeof process.stdout.write;
}
