/**
 * What the bundles get for `node:stream/web` (an esbuild alias, infra/constructs/job-function.ts). Its one
 * user is @middy/core, which imports `ReadableStream` only to recognise a streamed response
 * (`streamifyResponse`, not used here) with `instanceof`. Importing `node:stream/web` loads perf_hooks and
 * the web streams' transform, encoding and compression modules: ~4 ms of every cold start on 2 busy cores.
 * This stand-in answers `instanceof` exactly as the real class does, from Node's global `ReadableStream`,
 * which Node loads only when something asks for it.
 */
export const ReadableStream = {
  [Symbol.hasInstance]: (value: unknown): boolean => value instanceof globalThis.ReadableStream,
};
