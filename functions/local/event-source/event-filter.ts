/**
 * Lambda event filtering as the local event sources apply it, for the subset of the filter syntax the
 * stack uses (infra/function-settings.ts FilterPattern): nested objects, and arrays of accepted values at
 * the leaves. A record passes when it matches any of the patterns (no patterns: every record passes); a
 * field the pattern names but the record lacks never matches, as on AWS.
 */
import type { FilterPattern } from '../../../infra/function-settings.ts';

export function matchesPattern(value: unknown, pattern: FilterPattern): boolean {
  if (value === null || typeof value !== 'object') return false;
  return Object.entries(pattern).every(([field, rule]) => {
    const actual = (value as Record<string, unknown>)[field];
    if (Array.isArray(rule)) return rule.includes(actual as string | number | boolean);
    return matchesPattern(actual, rule as FilterPattern);
  });
}

export function passesFilters(record: unknown, patterns: readonly FilterPattern[]): boolean {
  return patterns.length === 0 || patterns.some((pattern) => matchesPattern(record, pattern));
}
