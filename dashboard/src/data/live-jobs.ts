/**
 * Every job of the signed-in user as last seen: one `watch({all: true})` over the WebSocket feeds it, pages
 * read over HTTP are merged in, and a version replaces another only when its `seq` is higher. Views subscribe
 * to it instead of polling; each change is also kept in a per-job timeline (by `seq`, as seen live).
 */
import type { Job, JobsClient, WebSocketConstructor } from '@tiered-job-queue/client';

export interface TimelineEntry {
  seq: number;
  status: Job['status'];
  percent: number;
  stage: string | null;
  message: string | null;
  seenAt: Date;
}

/** Versions kept per job for its timeline (a long job reports progress often). */
const TIMELINE_LIMIT = 500;

export type Connection = 'connecting' | 'live' | 'reconnecting';

export class LiveJobs {
  readonly #jobs = new Map<string, Job>();
  readonly #timelines = new Map<string, TimelineEntry[]>();
  readonly #listeners = new Set<(job: Job | null) => void>();
  #close: (() => void) | undefined;
  connection: Connection = 'connecting';

  /** The browser's WebSocket, reporting open and close to this store (give it to the JobsClient). */
  socketClass(): WebSocketConstructor {
    const setConnection = (connection: Connection) => this.#setConnection(connection);
    return class ObservedWebSocket extends WebSocket {
      constructor(url: string) {
        super(url);
        this.addEventListener('open', () => setConnection('live'));
        this.addEventListener('close', () => setConnection('reconnecting'));
      }
    } as unknown as WebSocketConstructor;
  }

  /** Starts the watch; `onFatal` hears about a refused token (the watch reconnects by itself otherwise). */
  start(client: JobsClient, onFatal: (error: unknown) => void): void {
    const handle = client.watch({ all: true }, (job) => this.merge(job));
    handle.done.catch(onFatal);
    this.#close = () => handle.close();
  }

  stop(): void {
    this.#close?.();
  }

  /** Keeps `job` if it is newer than the version held; returns the version now held. */
  merge(job: Job): Job {
    const held = this.#jobs.get(job.id);
    // The same version read over HTTP fills in a result that its event left out.
    const fillsIn = held?.seq === job.seq && held.resultTruncated && !job.resultTruncated;
    if (held && held.seq >= job.seq && !fillsIn) return held;
    this.#jobs.set(job.id, job);
    if (!fillsIn) this.#record(job);
    for (const listener of this.#listeners) listener(job);
    return job;
  }

  get(id: string): Job | undefined {
    return this.#jobs.get(id);
  }

  all(): Job[] {
    return [...this.#jobs.values()];
  }

  timeline(id: string): TimelineEntry[] {
    return this.#timelines.get(id) ?? [];
  }

  /** Called with each job that changed (null: the connection state changed); returns the unsubscribe. */
  subscribe(listener: (job: Job | null) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  #record(job: Job): void {
    const entries = this.#timelines.get(job.id) ?? [];
    entries.push({
      seq: job.seq,
      status: job.status,
      percent: job.progress.percent,
      stage: job.progress.stage,
      message: job.progress.message,
      seenAt: new Date(),
    });
    if (entries.length > TIMELINE_LIMIT) entries.splice(0, entries.length - TIMELINE_LIMIT);
    this.#timelines.set(job.id, entries);
  }

  #setConnection(connection: Connection): void {
    if (this.connection === connection) return;
    this.connection = connection;
    for (const listener of this.#listeners) listener(null);
  }
}
