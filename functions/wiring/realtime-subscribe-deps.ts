/** What the WebSocket message handler needs: connections, the management API, and the job store to read. */
import { systemClock } from '../core/clock.ts';
import type { SubscribeDeps } from '../usecases/realtime/subscribe.ts';
import { userQuotas } from './quotas.ts';
import { PENDING_LEASE_MS } from './realtime-config.ts';
import { connectionStore } from './realtime-connections.ts';
import { poster } from './realtime-poster.ts';
import { jobStore } from './store.ts';

export const subscribeDeps: SubscribeDeps = {
  connections: connectionStore,
  poster,
  jobs: jobStore,
  clock: systemClock,
  pendingLeaseMs: PENDING_LEASE_MS,
  maxSubscriptionsPerConnection: userQuotas().maxSubscriptionsPerConnection,
};
