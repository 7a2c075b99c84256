/**
 * When a schedule runs: a 5-field cron expression evaluated in an IANA time zone (croner handles the
 * calendar, time zones and daylight-saving changes), or a rate ("N minutes|hours|days") by arithmetic from
 * an anchor time. Pure: no I/O, time is passed in.
 */
import { Cron } from 'croner';
import type { FieldIssue } from './errors.ts';

export type Timetable =
  | { kind: 'cron'; cron: string; timezone: string; expression: Cron }
  | { kind: 'rate'; rate: string; everyMs: number };

const RATE = /^([1-9]\d{0,5}) (minute|minutes|hour|hours|day|days)$/;
const UNIT_MS = { minute: 60_000, hour: 3_600_000, day: 86_400_000 } as const;

/** Whether `timezone` is an IANA zone this runtime knows (Intl's tz database). */
export function isTimeZone(timezone: string): boolean {
  if (timezone.length === 0 || timezone.length > 64) return false;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: timezone });
    return true;
  } catch {
    return false;
  }
}

/** The milliseconds between runs of a rate, or null if it is not "N minutes", "N hours" or "N days" (N >= 1). */
export function rateMs(rate: string): number | null {
  const match = RATE.exec(rate.trim());
  if (!match) return null;
  const unit = (match[2] ?? '').replace(/s$/, '') as keyof typeof UNIT_MS;
  return Number(match[1]) * UNIT_MS[unit];
}

/** A cron expression of exactly five fields (minute hour day-of-month month day-of-week), or null. */
function cronOf(cron: string, timezone: string): Cron | null {
  if (cron.trim().split(/\s+/).length !== 5) return null;
  try {
    // paused: only evaluated, never scheduled in this process.
    return new Cron(cron, { timezone, paused: true, mode: '5-part' });
  } catch {
    return null;
  }
}

/**
 * The timetable of a schedule's fields, or the issues that make it invalid: exactly one of `cron` and
 * `rate`, a cron of five valid fields, a rate of N >= 1 minutes/hours/days, a known time zone.
 */
export function parseTimetable(fields: {
  cron: string | null;
  rate: string | null;
  timezone: string;
}): { timetable: Timetable } | { issues: FieldIssue[] } {
  const issues: FieldIssue[] = [];
  if (!isTimeZone(fields.timezone)) issues.push({ path: 'timezone', message: 'is not an IANA time zone' });
  if ((fields.cron === null) === (fields.rate === null))
    issues.push({ path: 'cron', message: 'give exactly one of cron and rate' });
  if (issues.length > 0) return { issues };
  if (fields.cron !== null) {
    const expression = cronOf(fields.cron, fields.timezone);
    if (!expression)
      return {
        issues: [{ path: 'cron', message: 'is not a cron expression of 5 fields, e.g. "*/5 * * * *"' }],
      };
    return { timetable: { kind: 'cron', cron: fields.cron, timezone: fields.timezone, expression } };
  }
  const everyMs = rateMs(fields.rate ?? '');
  if (everyMs === null)
    return { issues: [{ path: 'rate', message: 'must be "N minutes", "N hours" or "N days" with N >= 1' }] };
  return { timetable: { kind: 'rate', rate: fields.rate ?? '', everyMs } };
}

/**
 * The first run time strictly after `after`. A rate counts whole periods from `anchor` (the time the
 * schedule got its timetable), so its runs keep their phase whatever time the sweep happens to run.
 */
export function nextRunAfter(timetable: Timetable, after: Date, anchor: Date): Date | null {
  if (timetable.kind === 'cron') return timetable.expression.nextRun(after);
  const elapsed = after.getTime() - anchor.getTime();
  const periods = elapsed < 0 ? 1 : Math.floor(elapsed / timetable.everyMs) + 1;
  return new Date(anchor.getTime() + periods * timetable.everyMs);
}
