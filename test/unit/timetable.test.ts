import { describe, expect, it } from 'vitest';
import {
  isTimeZone,
  nextRunAfter,
  parseTimetable,
  rateMs,
  type Timetable,
} from '../../functions/core/timetable.ts';

function timetable(fields: { cron?: string; rate?: string; timezone?: string }): Timetable {
  const parsed = parseTimetable({
    cron: fields.cron ?? null,
    rate: fields.rate ?? null,
    timezone: fields.timezone ?? 'UTC',
  });
  if ('issues' in parsed) throw new Error(JSON.stringify(parsed.issues));
  return parsed.timetable;
}
const at = (iso: string) => new Date(iso);
const next = (t: Timetable, after: string, anchor = after) =>
  nextRunAfter(t, at(after), at(anchor))?.toISOString();

describe('cron timetables', () => {
  it('gives the next matching minute strictly after the given time', () => {
    const every5 = timetable({ cron: '*/5 * * * *' });
    expect(next(every5, '2026-07-01T10:02:30Z')).toBe('2026-07-01T10:05:00.000Z');
    expect(next(every5, '2026-07-01T10:05:00Z')).toBe('2026-07-01T10:10:00.000Z');
  });

  it('reads the expression in the time zone', () => {
    const nineInBerlin = timetable({ cron: '0 9 * * *', timezone: 'Europe/Berlin' });
    // Summer (CEST, UTC+2) and winter (CET, UTC+1).
    expect(next(nineInBerlin, '2026-07-01T00:00:00Z')).toBe('2026-07-01T07:00:00.000Z');
    expect(next(nineInBerlin, '2026-12-01T00:00:00Z')).toBe('2026-12-01T08:00:00.000Z');
  });

  it('keeps local time across daylight-saving changes', () => {
    const nineInNewYork = timetable({ cron: '0 9 * * *', timezone: 'America/New_York' });
    // US DST starts 2026-03-08: 9:00 EST is 14:00Z the day before, 9:00 EDT is 13:00Z that day.
    expect(next(nineInNewYork, '2026-03-07T12:00:00Z')).toBe('2026-03-07T14:00:00.000Z');
    expect(next(nineInNewYork, '2026-03-07T15:00:00Z')).toBe('2026-03-08T13:00:00.000Z');
  });

  it('runs a time skipped by the spring-forward change once, right after the gap', () => {
    const halfPastTwo = timetable({ cron: '30 2 * * *', timezone: 'Europe/Berlin' });
    // 2026-03-29 02:00-03:00 does not exist in Berlin: the run comes at 03:00 CEST (01:00Z), once.
    expect(next(halfPastTwo, '2026-03-28T12:00:00Z')).toBe('2026-03-29T01:00:00.000Z');
    expect(next(halfPastTwo, '2026-03-29T01:00:00Z')).toBe('2026-03-30T00:30:00.000Z');
  });

  it('refuses anything but five valid fields', () => {
    for (const cron of ['* * * *', '0 * * * * *', '61 * * * *', 'every minute', '* * 32 * *']) {
      const parsed = parseTimetable({ cron, rate: null, timezone: 'UTC' });
      expect(parsed, cron).toEqual({ issues: [expect.objectContaining({ path: 'cron' })] });
    }
  });
});

describe('rate timetables', () => {
  it('reads N minutes, hours or days with N >= 1', () => {
    expect(rateMs('1 minutes')).toBe(60_000);
    expect(rateMs('1 minute')).toBe(60_000);
    expect(rateMs('2 hours')).toBe(7_200_000);
    expect(rateMs('3 days')).toBe(259_200_000);
    for (const bad of ['0 minutes', '-1 minutes', '1.5 hours', '5 weeks', 'minutes', '10m'])
      expect(rateMs(bad), bad).toBeNull();
  });

  it('counts whole periods from the anchor, so the phase does not drift with the sweep', () => {
    const every10 = timetable({ rate: '10 minutes' });
    const anchor = '2026-07-01T10:00:00Z';
    expect(next(every10, '2026-07-01T10:00:00Z', anchor)).toBe('2026-07-01T10:10:00.000Z');
    expect(next(every10, '2026-07-01T10:10:40Z', anchor)).toBe('2026-07-01T10:20:00.000Z');
    // After an hour of downtime: the next time on the grid, not an hour of back runs.
    expect(next(every10, '2026-07-01T11:03:00Z', anchor)).toBe('2026-07-01T11:10:00.000Z');
  });
});

describe('validation', () => {
  it('needs exactly one of cron and rate, and a known time zone', () => {
    expect(parseTimetable({ cron: null, rate: null, timezone: 'UTC' })).toHaveProperty('issues');
    expect(parseTimetable({ cron: '* * * * *', rate: '1 minutes', timezone: 'UTC' })).toHaveProperty(
      'issues',
    );
    expect(parseTimetable({ cron: '* * * * *', rate: null, timezone: 'Mars/Olympus' })).toEqual({
      issues: [{ path: 'timezone', message: expect.any(String) }],
    });
    expect(isTimeZone('Asia/Kolkata')).toBe(true);
    expect(isTimeZone('')).toBe(false);
  });
});
