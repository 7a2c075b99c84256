/** Start: read config.json, take a `#token=` from the URL, then show the app or the sign-in form. */
import { JobsClient } from '@tiered-job-queue/client';
import { render } from 'preact';
import { useCallback, useMemo, useState } from 'preact/hooks';
import { App } from './app.tsx';
import { type DashboardConfig, loadConfig } from './data/config.ts';
import { LiveJobs } from './data/live-jobs.ts';
import { currentSession, type Session, signIn, signOut, takeTokenFromUrl } from './data/session.ts';
import { applyStoredTheme } from './theme.tsx';
import { SignInView } from './views/sign-in.tsx';
import './styles.css';

function Root({ config }: { config: DashboardConfig }) {
  const [session, setSession] = useState<Session | null>(currentSession);
  const [reason, setReason] = useState('');
  const services = useMemo(() => {
    if (!session) return null;
    const live = new LiveJobs();
    const client = new JobsClient({
      apiUrl: config.apiUrl,
      ...(config.wsUrl && { wsUrl: config.wsUrl }),
      token: session.token,
      WebSocket: live.socketClass(),
    });
    return { session, config, live, client };
  }, [session, config]);
  const onSignOut = useCallback((why: string) => {
    signOut();
    setReason(why);
    setSession(null);
  }, []);
  if (!services) return <SignInView reason={reason} onToken={(token) => setSession(signIn(token))} />;
  return <App services={services} onSignOut={onSignOut} />;
}

async function start(): Promise<void> {
  applyStoredTheme();
  takeTokenFromUrl();
  const root = document.getElementById('app') as HTMLElement;
  try {
    render(<Root config={await loadConfig()} />, root);
  } catch (error) {
    root.textContent = `The dashboard could not start: ${error instanceof Error ? error.message : String(error)}`;
  }
}

void start();
