/** The storage port of schedules (the DynamoDB adapter: adapters/dynamodb/schedule-store.ts). */
import type { Page } from './ports.ts';
import type { Schedule } from './schedule.ts';

export interface ScheduleStore {
  /** Writes a new schedule; the id must be new. */
  create(schedule: Schedule): Promise<void>;
  /** Strongly consistent read of one of a user's schedules. */
  get(userId: string, id: string): Promise<Schedule | null>;
  /** A user's schedules, oldest first. The cursor is opaque to callers. */
  listByUser(userId: string, query: { limit: number; cursor?: string | undefined }): Promise<Page<Schedule>>;
  /**
   * Replaces the schedule if it is still at `expectedVersion` (one conditional write); the stored schedule
   * then has `version` = expectedVersion + 1. False when it changed or is gone.
   */
  replace(next: Schedule, expectedVersion: number): Promise<boolean>;
  /** Deletes one of a user's schedules; false if there was none. */
  delete(userId: string, id: string): Promise<boolean>;
  /** Unpaused schedules whose next run time is at or before `until`, earliest first (strongly consistent reads). */
  listDue(until: string, query: { limit: number; cursor?: string | undefined }): Promise<Page<Schedule>>;
}
