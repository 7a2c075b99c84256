/** The path parameters of the job and agent routes: a job's (or schedule's) id, an agent's type and command. */
import * as z from '../core/zod.ts';
import { jobId, name } from './schema-parts.ts';

export const jobIdSchema = jobId();
export const agentPathSchema = z.object({ type: name, command: name });
