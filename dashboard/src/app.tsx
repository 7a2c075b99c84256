/** The shell: navigation, the live-connection state, the alert area, and the view of the current route. */
import { JobsApiError } from '@tiered-job-queue/client';
import { useEffect, useMemo, useState } from 'preact/hooks';
import { AppContext, type AppServices, useLiveVersion, useServices } from './data/app-context.ts';
import { type Route, useRoute } from './router.ts';
import { ThemeToggle } from './theme.tsx';
import { DeadLettersView } from './views/dead.tsx';
import { JobView } from './views/job.tsx';
import { JobsView } from './views/jobs.tsx';
import { OverviewView } from './views/overview.tsx';
import { SchedulesView } from './views/schedules.tsx';
import { WebhooksView } from './views/webhooks.tsx';

export function App({
  services,
  onSignOut,
}: {
  services: Omit<AppServices, 'report'>;
  onSignOut: (reason: string) => void;
}) {
  const [alert, setAlert] = useState('');
  const value = useMemo<AppServices>(
    () => ({
      ...services,
      report: (error: unknown) => {
        if (error instanceof JobsApiError && error.status === 401)
          return onSignOut('Your token was refused: sign in again.');
        setAlert(error instanceof Error ? error.message : String(error));
      },
    }),
    [services, onSignOut],
  );
  useEffect(() => {
    services.live.start(services.client, value.report);
    return () => services.live.stop();
  }, [services, value]);
  const route = useRoute();
  return (
    <AppContext.Provider value={value}>
      <a class="skip" href="#main">
        Skip to content
      </a>
      <Header route={route} onSignOut={() => onSignOut('')} />
      {alert && (
        <div role="alert" class="banner">
          {alert}{' '}
          <button type="button" class="ghost" onClick={() => setAlert('')}>
            Dismiss
          </button>
        </div>
      )}
      <main id="main" tabIndex={-1}>
        <View route={route} />
      </main>
    </AppContext.Provider>
  );
}

function View({ route }: { route: Route }) {
  switch (route.name) {
    case 'overview':
      return <OverviewView />;
    case 'jobs':
      return <JobsView status={route.status} type={route.type} />;
    case 'job':
      return <JobView key={route.id} id={route.id} />;
    case 'dead':
      return <DeadLettersView />;
    case 'webhooks':
      return <WebhooksView />;
    case 'schedules':
      return <SchedulesView />;
    default:
      return <p>Nothing at {route.path}.</p>;
  }
}

function Header({ route, onSignOut }: { route: Route; onSignOut: () => void }) {
  const { session, live } = useServices();
  useLiveVersion(NO_JOBS);
  const links: Array<[string, string, boolean]> = [
    ['#/', 'Overview', route.name === 'overview'],
    ['#/jobs', 'Jobs', route.name === 'jobs' || route.name === 'job'],
    ['#/webhooks', 'Webhooks', route.name === 'webhooks'],
    ['#/schedules', 'Schedules', route.name === 'schedules'],
    ...(session.admin
      ? [['#/dead', 'Dead letters', route.name === 'dead'] as [string, string, boolean]]
      : []),
  ];
  return (
    <header class="top">
      <span class="brand">Job queue</span>
      <nav aria-label="Main">
        {links.map(([href, label, current]) => (
          <a key={href} href={href} aria-current={current ? 'page' : undefined}>
            {label}
          </a>
        ))}
      </nav>
      <span class={`connection connection-${live.connection}`} role="status">
        {live.connection === 'live' ? 'live' : live.connection}
      </span>
      <span class="user">
        {session.user}
        {session.admin && ' (admin)'}
      </span>
      <ThemeToggle />
      <button type="button" class="ghost" onClick={onSignOut}>
        Sign out
      </button>
    </header>
  );
}

/** The header re-renders for connection changes only, not for every job event. */
const NO_JOBS = () => false;
