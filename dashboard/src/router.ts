/** Hash routes: `#/` overview, `#/jobs[?status=&type=]`, `#/jobs/<id>`, `#/dead`, `#/webhooks`, `#/schedules`. */
import { useEffect, useState } from 'preact/hooks';

export type Route =
  | { name: 'overview' }
  | { name: 'jobs'; status: string; type: string }
  | { name: 'job'; id: string }
  | { name: 'dead' }
  | { name: 'webhooks' }
  | { name: 'schedules' }
  | { name: 'missing'; path: string };

export function parseRoute(hash: string): Route {
  const [path = '/', search = ''] = (hash.replace(/^#/, '') || '/').split('?');
  if (path === '/') return { name: 'overview' };
  if (path === '/jobs') {
    const query = new URLSearchParams(search);
    return { name: 'jobs', status: query.get('status') ?? '', type: query.get('type') ?? '' };
  }
  if (path === '/dead') return { name: 'dead' };
  if (path === '/webhooks') return { name: 'webhooks' };
  if (path === '/schedules') return { name: 'schedules' };
  const job = /^\/jobs\/([^/]+)$/.exec(path);
  if (job?.[1]) return { name: 'job', id: decodeURIComponent(job[1]) };
  return { name: 'missing', path };
}

export function jobsHref(filter: { status?: string; type?: string }): string {
  const query = new URLSearchParams(Object.entries(filter).filter(([, value]) => value) as string[][]);
  return query.size > 0 ? `#/jobs?${query}` : '#/jobs';
}

export const jobHref = (id: string): string => `#/jobs/${encodeURIComponent(id)}`;

export function useRoute(): Route {
  const [route, setRoute] = useState(() => parseRoute(location.hash));
  useEffect(() => {
    const onChange = () => setRoute(parseRoute(location.hash));
    addEventListener('hashchange', onChange);
    return () => removeEventListener('hashchange', onChange);
  }, []);
  return route;
}
