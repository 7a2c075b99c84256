/** What every view reads: the client (the one data layer), the live job store, and the session. */
import type { JobsClient } from '@tiered-job-queue/client';
import { createContext } from 'preact';
import { useContext, useEffect, useState } from 'preact/hooks';
import type { DashboardConfig } from './config.ts';
import type { LiveJobs } from './live-jobs.ts';
import type { Session } from './session.ts';

export interface AppServices {
  client: JobsClient;
  live: LiveJobs;
  session: Session;
  config: DashboardConfig;
  /** Reports a failed request to the page's alert area (a refused token signs out). */
  report(error: unknown): void;
}

export const AppContext = createContext<AppServices | null>(null);

export function useServices(): AppServices {
  const services = useContext(AppContext);
  if (!services) throw new Error('useServices outside AppContext');
  return services;
}

/** Re-renders on every change of the live store (throttled to one per animation frame). */
export function useLiveVersion(filter?: (id: string) => boolean): number {
  const { live } = useServices();
  const [version, setVersion] = useState(0);
  useEffect(() => {
    let frame = 0;
    const unsubscribe = live.subscribe((job) => {
      if (job && filter && !filter(job.id)) return;
      if (frame) return;
      frame = requestAnimationFrame(() => {
        frame = 0;
        setVersion((v) => v + 1);
      });
    });
    return () => {
      unsubscribe();
      cancelAnimationFrame(frame);
    };
  }, [live, filter]);
  return version;
}
