/**
 * An in-memory ScheduleStore for unit tests of the schedule use cases: the port's contract (writes
 * conditional on the version, due schedules by next run time), no I/O. The DynamoDB adapter is tested
 * against DynamoDB Local in test/integration/schedule-store.test.ts.
 */
import type { Page } from '../../functions/core/ports.ts';
import type { Schedule } from '../../functions/core/schedule.ts';
import type { ScheduleStore } from '../../functions/core/schedule-ports.ts';

export class MemoryScheduleStore implements ScheduleStore {
  readonly schedules = new Map<string, Schedule>();
  /** Writes that were refused because the version had changed. */
  conflicts = 0;

  async create(schedule: Schedule): Promise<void> {
    if (this.schedules.has(schedule.id)) throw new Error(`schedule ${schedule.id} exists`);
    this.schedules.set(schedule.id, structuredClone(schedule));
  }
  async get(userId: string, id: string): Promise<Schedule | null> {
    const schedule = this.schedules.get(id);
    return schedule && schedule.userId === userId ? structuredClone(schedule) : null;
  }
  async listByUser(userId: string, query: { limit: number; cursor?: string }): Promise<Page<Schedule>> {
    const own = [...this.schedules.values()]
      .filter((s) => s.userId === userId)
      .sort((a, b) => (a.id < b.id ? -1 : 1));
    const start = query.cursor ? Number(query.cursor) : 0;
    const items = own.slice(start, start + query.limit).map((s) => structuredClone(s));
    return { items, nextCursor: start + query.limit < own.length ? String(start + query.limit) : null };
  }
  async replace(next: Schedule, expectedVersion: number): Promise<boolean> {
    const current = this.schedules.get(next.id);
    if (!current || current.version !== expectedVersion) {
      this.conflicts += 1;
      return false;
    }
    this.schedules.set(next.id, structuredClone({ ...next, version: expectedVersion + 1 }));
    return true;
  }
  async delete(userId: string, id: string): Promise<boolean> {
    if (this.schedules.get(id)?.userId !== userId) return false;
    return this.schedules.delete(id);
  }
  async listDue(until: string, query: { limit: number; cursor?: string }): Promise<Page<Schedule>> {
    const due = [...this.schedules.values()]
      .filter((s) => !s.paused && s.nextRunAt !== null && s.nextRunAt <= until)
      .sort((a, b) => ((a.nextRunAt ?? '') < (b.nextRunAt ?? '') ? -1 : 1));
    const start = query.cursor ? Number(query.cursor) : 0;
    const items = due.slice(start, start + query.limit).map((s) => structuredClone(s));
    return { items, nextCursor: start + query.limit < due.length ? String(start + query.limit) : null };
  }
}
