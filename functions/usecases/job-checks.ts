/**
 * What a job must be to be accepted, wherever it comes from (a submission, a schedule's job): a registered
 * agent command, a timeout that command can honour, params that fit its schema and the place they are kept.
 * Nothing is accepted that could not reach a terminal state.
 */
import type { AgentRegistry } from '../agents/registry.ts';
import { type FieldIssue, ParamsTooLargeError, UnknownAgentError, ValidationError } from '../core/errors.ts';
import { fitJson, jsonDepth, MAX_JSON_DEPTH } from '../core/limits.ts';
import { MAX_INVOCATION_TIMEOUT_SECONDS } from '../core/steps.ts';
import * as z from '../core/zod.ts';

export function issuesOf(error: z.core.$ZodError, prefix = ''): FieldIssue[] {
  return error.issues.map((issue) => ({
    path: [prefix, ...issue.path.map(String)].filter(Boolean).join('.') || '(body)',
    message: issue.message,
  }));
}

export interface JobToCheck {
  type: string;
  command: string;
  params?: Record<string, unknown> | undefined;
  timeoutSeconds?: number | undefined;
}

/**
 * The agent command, and the params as its schema parsed them with their stored JSON. `path` prefixes the
 * fields named in errors (`params`, or `job.params` inside a schedule); params larger than `maxParamsBytes`
 * are refused with ParamsTooLargeError.
 */
export function checkJob(
  agents: AgentRegistry,
  job: JobToCheck,
  options: { maxParamsBytes: number; path?: string },
) {
  const field = (name: string) => [options.path, name].filter(Boolean).join('.');
  const command = agents.find(job.type, job.command);
  if (!command) throw new UnknownAgentError(job.type, job.command);
  if (job.timeoutSeconds !== undefined) checkTimeout(command, job.timeoutSeconds, field('timeoutSeconds'));
  const params = job.params ?? {};
  // Depth first: the agent's schema and the fingerprint walk the params, and must not overflow the stack.
  if (jsonDepth(params, MAX_JSON_DEPTH) > MAX_JSON_DEPTH)
    throw new ValidationError([
      { path: field('params'), message: `nests deeper than ${MAX_JSON_DEPTH} levels` },
    ]);
  const parsed = z.safeParse(command.params, params);
  if (!parsed.success)
    throw new ValidationError(issuesOf(parsed.error, field('params')), 'The params do not fit the agent');
  const fit = fitJson(parsed.data, { maxBytes: options.maxParamsBytes, maxDepth: MAX_JSON_DEPTH });
  if (!fit.ok && fit.reason === 'too_large')
    throw new ParamsTooLargeError(fit.message, options.maxParamsBytes);
  if (!fit.ok) throw new ValidationError([{ path: field('params'), message: fit.message }]);
  return { command, params: parsed.data as Record<string, unknown>, paramsJson: fit.json };
}

/** Only a durable command may run longer than one invocation (core/steps.ts). */
function checkTimeout(command: { durable?: boolean }, timeoutSeconds: number, path: string): void {
  if (command.durable || timeoutSeconds <= MAX_INVOCATION_TIMEOUT_SECONDS) return;
  throw new ValidationError([
    {
      path,
      message: `must be at most ${MAX_INVOCATION_TIMEOUT_SECONDS} for this command (it is not durable; only durable commands may run longer than one invocation)`,
    },
  ]);
}
