/**
 * Every HTTP route of the contract, with the handler module that serves it and who may call it. The CDK
 * HTTP API and the local gateway are both built from this table.
 */
import type { Access } from './middleware/authenticate.ts';
import { webhookRoutes } from './webhook-routes.ts';

export interface RouteDefinition {
  method: 'GET' | 'POST' | 'PATCH' | 'DELETE';
  /** API Gateway route syntax: `{name}` is a path parameter. */
  path: string;
  /** Module under functions/handlers/api/ exporting `handler`. */
  handler: string;
  access: Access;
  summary: string;
  /** The OpenAPI operationId when the handler module serves more than one route (default: `handler`). */
  operationId?: string;
}

export const routes: RouteDefinition[] = [
  { method: 'GET', path: '/health', handler: 'health', access: 'public', summary: 'Liveness check' },
  {
    method: 'GET',
    path: '/openapi.json',
    handler: 'openapi',
    access: 'public',
    summary: 'This API as OpenAPI 3',
  },
  {
    method: 'GET',
    path: '/docs',
    handler: 'docs',
    access: 'public',
    summary: 'This API as a readable reference page',
  },
  {
    method: 'GET',
    path: '/docs/redoc.standalone.js',
    handler: 'docs-asset',
    access: 'public',
    summary: 'The script of the reference page',
  },
  { method: 'POST', path: '/jobs', handler: 'submit-job', access: 'user', summary: 'Submit a job' },
  {
    method: 'POST',
    path: '/agents/{type}/{command}',
    handler: 'submit-agent-job',
    access: 'user',
    summary: 'Submit a job for one agent command',
  },
  {
    method: 'GET',
    path: '/agents',
    handler: 'list-agents',
    access: 'user',
    summary: 'Agents, commands and param schemas',
  },
  { method: 'GET', path: '/jobs', handler: 'list-jobs', access: 'user', summary: 'Your jobs, newest first' },
  { method: 'GET', path: '/jobs/count', handler: 'count-jobs', access: 'user', summary: 'Count your jobs' },
  { method: 'GET', path: '/jobs/{id}', handler: 'get-job', access: 'user', summary: 'One of your jobs' },
  {
    method: 'GET',
    path: '/jobs/{id}/params',
    handler: 'get-job-params',
    access: 'user',
    summary: "A job's params (a redirect to S3 when over 256 KiB)",
  },
  {
    method: 'GET',
    path: '/jobs/{id}/result',
    handler: 'get-job-result',
    access: 'user',
    summary: "A job's result (a redirect to S3 when over 256 KiB)",
  },
  {
    method: 'POST',
    path: '/jobs/{id}/cancel',
    handler: 'cancel-job',
    access: 'user',
    summary: 'Cancel a job',
  },
  {
    method: 'DELETE',
    path: '/jobs/{id}',
    handler: 'cancel-job',
    operationId: 'delete-job',
    access: 'user',
    summary: 'Cancel a job (same as POST /jobs/{id}/cancel)',
  },
  {
    method: 'POST',
    path: '/jobs/{id}/retry',
    handler: 'retry-job',
    access: 'user',
    summary: 'Requeue a failed, dead or cancelled job',
  },
  {
    method: 'GET',
    path: '/queue/stats',
    handler: 'queue-stats',
    access: 'user',
    summary: 'Queue statistics',
  },
  {
    method: 'GET',
    path: '/queue/metrics',
    handler: 'queue-metrics',
    access: 'user',
    summary: 'Metrics history: submissions, starts and outcomes per minute, 5 minutes or hour',
  },
  {
    method: 'POST',
    path: '/admin/recover',
    handler: 'admin-recover',
    access: 'admin',
    summary: 'Recover stale jobs and dispatch due ones now',
  },
  {
    method: 'POST',
    path: '/admin/cleanup',
    handler: 'admin-cleanup',
    access: 'admin',
    summary: 'Delete old finished jobs',
  },
  {
    method: 'GET',
    path: '/admin/dead',
    handler: 'admin-dead',
    access: 'admin',
    summary: 'Dead jobs of all users',
  },
  {
    method: 'POST',
    path: '/admin/dead/redrive',
    handler: 'admin-redrive',
    access: 'admin',
    summary: 'Requeue dead jobs',
  },
  {
    method: 'POST',
    path: '/admin/tiers/{tier}/pause',
    handler: 'admin-tiers',
    operationId: 'admin-tier-pause',
    access: 'admin',
    summary: 'Pause a tier: its jobs stay queued, nothing new starts in it',
  },
  {
    method: 'POST',
    path: '/admin/tiers/{tier}/resume',
    handler: 'admin-tiers',
    operationId: 'admin-tier-resume',
    access: 'admin',
    summary: 'Resume a paused tier',
  },
  ...webhookRoutes,
  {
    method: 'POST',
    path: '/schedules',
    handler: 'create-schedule',
    access: 'user',
    summary: 'Create a schedule',
  },
  { method: 'GET', path: '/schedules', handler: 'list-schedules', access: 'user', summary: 'Your schedules' },
  {
    method: 'GET',
    path: '/schedules/{id}',
    handler: 'get-schedule',
    access: 'user',
    summary: 'One of your schedules',
  },
  {
    method: 'PATCH',
    path: '/schedules/{id}',
    handler: 'update-schedule',
    access: 'user',
    summary: 'Change, pause or resume a schedule',
  },
  {
    method: 'DELETE',
    path: '/schedules/{id}',
    handler: 'delete-schedule',
    access: 'user',
    summary: 'Delete a schedule',
  },
  {
    method: 'POST',
    path: '/schedules/{id}/trigger',
    handler: 'trigger-schedule',
    access: 'user',
    summary: "Run a schedule's job now",
  },
];
