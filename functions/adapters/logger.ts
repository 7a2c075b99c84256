/**
 * A small structured JSON logger in the shape of Powertools' Logger: one JSON line per entry, persistent
 * keys (service, job id), level from LOG_LEVEL.
 */
import type { Logger } from '../agents/registry.ts';

const LEVELS = { debug: 10, info: 20, warn: 30, error: 40, silent: 100 } as const;
type Level = keyof typeof LEVELS;

export class JsonLogger implements Logger {
  readonly #keys: Record<string, unknown>;
  readonly #threshold: number;
  readonly #write: (line: string) => void;

  constructor(
    keys: Record<string, unknown> = {},
    level: string = process.env.LOG_LEVEL ?? 'info',
    write: (line: string) => void = (line) => process.stdout.write(`${line}\n`),
  ) {
    this.#keys = keys;
    this.#threshold =
      LEVELS[(level.toLowerCase() as Level) in LEVELS ? (level.toLowerCase() as Level) : 'info'];
    this.#write = write;
  }

  child(keys: Record<string, unknown>): JsonLogger {
    const level = Object.entries(LEVELS).find(([, value]) => value === this.#threshold)?.[0] ?? 'info';
    return new JsonLogger({ ...this.#keys, ...keys }, level, this.#write);
  }

  #log(level: Exclude<Level, 'silent'>, message: string, fields?: Record<string, unknown>): void {
    if (LEVELS[level] < this.#threshold) return;
    const entry = {
      level: level.toUpperCase(),
      message,
      timestamp: new Date().toISOString(),
      ...this.#keys,
      ...fields,
    };
    this.#write(JSON.stringify(entry, errorReplacer));
  }
  debug(message: string, fields?: Record<string, unknown>): void {
    this.#log('debug', message, fields);
  }
  info(message: string, fields?: Record<string, unknown>): void {
    this.#log('info', message, fields);
  }
  warn(message: string, fields?: Record<string, unknown>): void {
    this.#log('warn', message, fields);
  }
  error(message: string, fields?: Record<string, unknown>): void {
    this.#log('error', message, fields);
  }
}

function errorReplacer(_key: string, value: unknown): unknown {
  if (value instanceof Error) return { name: value.name, message: value.message, stack: value.stack };
  return value;
}
