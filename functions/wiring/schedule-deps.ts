/** What the schedule routes need: the schedule store and the agent registry (a schedule's job is checked like a submission). */
import { agents } from '../agents/index.ts';
import { systemClock } from '../core/clock.ts';
import type { ScheduleDeps } from '../usecases/schedules/manage-schedules.ts';
import { scheduleStore } from './schedule-store.ts';

export const scheduleDeps: ScheduleDeps = { schedules: scheduleStore, agents, clock: systemClock };
