/** The dashboard's pure parts: hash routes and what a token's claims say about its user. */
import { describe, expect, it } from 'vitest';
import { sessionFor } from '../../dashboard/src/data/session.ts';
import { jobHref, jobsHref, parseRoute } from '../../dashboard/src/router.ts';

describe('dashboard routes', () => {
  it('maps each hash to its view', () => {
    expect(parseRoute('')).toEqual({ name: 'overview' });
    expect(parseRoute('#/')).toEqual({ name: 'overview' });
    expect(parseRoute('#/jobs')).toEqual({ name: 'jobs', status: '', type: '' });
    expect(parseRoute('#/jobs?status=dead&type=demo')).toEqual({
      name: 'jobs',
      status: 'dead',
      type: 'demo',
    });
    expect(parseRoute('#/jobs/abc%2Fdef')).toEqual({ name: 'job', id: 'abc/def' });
    expect(parseRoute('#/dead')).toEqual({ name: 'dead' });
    expect(parseRoute('#/schedules')).toEqual({ name: 'schedules' });
    expect(parseRoute('#/nowhere')).toEqual({ name: 'missing', path: '/nowhere' });
  });

  it('builds links that parse back to the same route', () => {
    expect(parseRoute(jobHref('a/b c'))).toEqual({ name: 'job', id: 'a/b c' });
    expect(jobsHref({})).toBe('#/jobs');
    expect(jobsHref({ status: '', type: 'demo' })).toBe('#/jobs?type=demo');
    expect(parseRoute(jobsHref({ status: 'failed', type: 'x y' }))).toEqual({
      name: 'jobs',
      status: 'failed',
      type: 'x y',
    });
  });
});

describe('dashboard session', () => {
  const token = (claims: object) =>
    `e30.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.signature`;

  it('reads the user and the admin role the way the API grants it', () => {
    expect(sessionFor(token({ sub: 'ann' }))).toMatchObject({ user: 'ann', admin: false });
    expect(sessionFor(token({ sub: 'bob', role: 'admin' }))).toMatchObject({ user: 'bob', admin: true });
    expect(sessionFor(token({ sub: 'cy', 'cognito:groups': ['ops', 'admin'] })).admin).toBe(true);
    expect(sessionFor(token({ sub: 'di', groups: ['ops'] })).admin).toBe(false);
  });

  it('treats a token it cannot read as an unknown non-admin (the API decides)', () => {
    expect(sessionFor('not-a-jwt')).toMatchObject({ user: 'unknown', admin: false });
    expect(sessionFor('a.!!!.c')).toMatchObject({ user: 'unknown', admin: false });
  });
});
