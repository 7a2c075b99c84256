/**
 * `client.schedules`: the schedule routes (API.md "Schedules"). Reads, changes, pause/resume and delete are
 * retried like every safe request; `create` and `trigger` are not (each call would start something new).
 */
import type { Transport } from './transport.ts';
import type {
  CreateScheduleBody,
  Job,
  ListSchedulesQuery,
  Schedule,
  SchedulesPage,
  UpdateScheduleBody,
} from './types.ts';

const path = (id: string) => `/schedules/${encodeURIComponent(id)}`;

export class ScheduleMethods {
  readonly #http: Transport;

  constructor(http: Transport) {
    this.#http = http;
  }

  /** `POST /schedules`: the new schedule with its first `nextRunAt`. */
  async create(body: CreateScheduleBody): Promise<Schedule> {
    return (await this.#http.request<{ schedule: Schedule }>('POST', '/schedules', { body, retry: false }))
      .schedule;
  }

  async get(id: string): Promise<Schedule> {
    return (await this.#http.request<{ schedule: Schedule }>('GET', path(id), { retry: true })).schedule;
  }

  /** Every schedule of the user, fetching the next page only as iteration reaches it. */
  list(query: Omit<ListSchedulesQuery, 'cursor'> = {}): AsyncIterable<Schedule> {
    const listPage = (cursor: string | undefined) => this.listPage({ ...query, cursor });
    return {
      async *[Symbol.asyncIterator]() {
        let cursor: string | undefined;
        do {
          const page = await listPage(cursor);
          yield* page.schedules;
          cursor = page.nextCursor ?? undefined;
        } while (cursor);
      },
    };
  }

  listPage(query: ListSchedulesQuery = {}): Promise<SchedulesPage> {
    return this.#http.request<SchedulesPage>('GET', '/schedules', {
      query: query as Record<string, string | number | undefined>,
      retry: true,
    });
  }

  /** `PATCH /schedules/{id}`: `nextRunAt` is recomputed. */
  async update(id: string, body: UpdateScheduleBody): Promise<Schedule> {
    return (await this.#http.request<{ schedule: Schedule }>('PATCH', path(id), { body, retry: true }))
      .schedule;
  }

  pause(id: string): Promise<Schedule> {
    return this.update(id, { paused: true });
  }

  resume(id: string): Promise<Schedule> {
    return this.update(id, { paused: false });
  }

  async delete(id: string): Promise<void> {
    await this.#http.request('DELETE', path(id), { retry: true });
  }

  /** `POST /schedules/{id}/trigger`: starts the schedule's job now; resolves with that job. */
  async trigger(id: string): Promise<Job> {
    return (await this.#http.request<{ job: Job }>('POST', `${path(id)}/trigger`, { retry: false })).job;
  }
}
