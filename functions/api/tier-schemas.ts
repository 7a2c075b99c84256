/** The path and response of `POST /admin/tiers/{tier}/pause|resume` (API.md "Tier pause"). zod/mini. */
import { TIERS } from '../core/tiers.ts';
import * as z from '../core/zod.ts';

export const tierSchema = z.enum(TIERS);

export const tierPauseResponseSchema = z.object({ tier: tierSchema, paused: z.boolean() });
