/**
 * The mapping between a schedule and its item in the schedules table (infra/resources.ts `schedulesTable`):
 * `U#<user>` / `<id>`, so a user's schedules are one partition; the sparse `byDue` index keys
 * (`dueKey`, `dueAtKey`) exist only while the schedule is unpaused with a next run time. The scheduled job
 * is stored as a JSON string (no nesting limit on its params).
 */
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { marshall, unmarshall } from '@aws-sdk/util-dynamodb';
import type { Schedule } from '../../core/schedule.ts';
import { userKey } from './job-item.ts';

/** The one partition of `byDue`: a few writes per schedule per run, far under a partition's limits. */
export const DUE_PARTITION = 'DUE';

export const scheduleKey = (userId: string, id: string) => ({ pk: userKey(userId), sk: id });

export function toScheduleItem(schedule: Schedule): Record<string, AttributeValue> {
  const { job, ...rest } = schedule;
  const due = !schedule.paused && schedule.nextRunAt !== null;
  return marshall(
    {
      ...scheduleKey(schedule.userId, schedule.id),
      ...rest,
      jobJson: JSON.stringify(job),
      ...(due && { dueKey: DUE_PARTITION, dueAtKey: `${schedule.nextRunAt}#${schedule.id}` }),
    },
    { removeUndefinedValues: true, convertClassInstanceToMap: false },
  );
}

export function fromScheduleItem(item: Record<string, AttributeValue>): Schedule {
  const { pk: _pk, sk: _sk, dueKey: _dueKey, dueAtKey: _dueAtKey, jobJson, ...rest } = unmarshall(item);
  return { ...rest, job: JSON.parse(String(jobJson)) } as Schedule;
}
