/** Exit codes (API.md): 0 success, 1 the job ended failed/dead/cancelled, 2 usage error, 3 API or network error. */
export const EXIT = { ok: 0, jobFailed: 1, usage: 2, api: 3 } as const;

/** A command line the CLI cannot act on (bad JSON, a missing argument); exit code 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}
