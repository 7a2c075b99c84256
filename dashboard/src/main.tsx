/**
 * Start: read config.json, take a `#token=` from the URL or finish an OIDC sign-in (`?code=`), then show
 * the app or the sign-in form.
 */
import { JobsClient } from '@tiered-job-queue/client';
import { render } from 'preact';
import { useCallback, useMemo, useState } from 'preact/hooks';
import { App } from './app.tsx';
import { type DashboardConfig, loadConfig } from './data/config.ts';
import { LiveJobs } from './data/live-jobs.ts';
import { beginSignIn, finishSignIn } from './data/oidc.ts';
import { currentSession, type Session, signIn, signOut, takeTokenFromUrl } from './data/session.ts';
import { applyStoredTheme } from './theme.tsx';
import { SignInView } from './views/sign-in.tsx';
import './styles.css';

function Root({ config, initialReason }: { config: DashboardConfig; initialReason: string }) {
  const [session, setSession] = useState<Session | null>(currentSession);
  const [reason, setReason] = useState(initialReason);
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
  if (!services) {
    const { oidc } = config;
    const onProvider = oidc
      ? () => beginSignIn(oidc).catch((error: unknown) => setReason(messageOf(error)))
      : undefined;
    return (
      <SignInView
        reason={reason}
        onToken={(token) => setSession(signIn(token))}
        {...(oidc && onProvider && { provider: { name: new URL(oidc.issuer).host, signIn: onProvider } })}
      />
    );
  }
  return <App services={services} onSignOut={onSignOut} />;
}

async function start(): Promise<void> {
  applyStoredTheme();
  takeTokenFromUrl();
  const root = document.getElementById('app') as HTMLElement;
  try {
    const config = await loadConfig();
    let reason = '';
    if (config.oidc) {
      const token = await finishSignIn(config.oidc).catch((error: unknown) => {
        reason = messageOf(error);
        return null;
      });
      if (token) signIn(token);
    }
    render(<Root config={config} initialReason={reason} />, root);
  } catch (error) {
    root.textContent = `The dashboard could not start: ${messageOf(error)}`;
  }
}

const messageOf = (error: unknown) => (error instanceof Error ? error.message : String(error));

void start();
