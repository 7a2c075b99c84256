export type { BackoffPolicy } from './backoff.ts';
export { JobsClient, type JobsClientOptions, type WaitOptions } from './client.ts';
export { JobsApiError } from './errors.ts';
export type { ScheduleMethods } from './schedules.ts';
export type { WebSocketConstructor, WebSocketLike } from './socket.ts';
export type { TokenSource } from './transport.ts';
export * from './types.ts';
export type { WatchHandle, WatchOptions, WatchTarget } from './watch.ts';
