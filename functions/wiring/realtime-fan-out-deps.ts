/** What the notifier needs: connections and the management API (the stream brings the jobs). */
import { setTimeout as sleep } from 'node:timers/promises';
import { systemClock } from '../core/clock.ts';
import type { FanOutDeps } from '../usecases/realtime/fan-out.ts';
import { SentLog } from '../usecases/realtime/sent-log.ts';
import { WatchedUsers } from '../usecases/realtime/watched-users.ts';
import { logger } from './logger.ts';
import { POST_CONCURRENCY } from './realtime-config.ts';
import { connectionStore } from './realtime-connections.ts';
import { poster } from './realtime-poster.ts';

export const fanOutDeps: FanOutDeps = {
  connections: connectionStore,
  poster,
  clock: systemClock,
  logger,
  sleep: (ms) => sleep(ms),
  concurrency: POST_CONCURRENCY,
  pendingPollMs: 25,
  sent: new SentLog(),
  watchers: new WatchedUsers(connectionStore, systemClock),
};
