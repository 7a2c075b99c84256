/** Option parsers: a bad value is a usage error (exit 2) raised by commander before anything is sent. */
import { InvalidArgumentError } from 'commander';

export function integer(value: string): number {
  if (!/^-?\d+$/.test(value.trim())) throw new InvalidArgumentError('not an integer');
  return Number(value);
}

export function jsonObject(value: string): Record<string, unknown> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch {
    throw new InvalidArgumentError('not valid JSON');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
    throw new InvalidArgumentError('must be a JSON object');
  return parsed as Record<string, unknown>;
}

export const idList = (value: string): string[] =>
  value
    .split(',')
    .map((id) => id.trim())
    .filter(Boolean);
