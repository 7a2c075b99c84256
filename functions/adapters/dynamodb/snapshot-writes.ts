/**
 * A transition applied to a job known only from a snapshot (core/job-snapshot.ts): one conditional
 * UpdateItem, never retried and never preceded by a read. It returns the new item (ALL_NEW) when the
 * precondition held, and the item as it is (ALL_OLD on the failed condition, billed as the failed write)
 * when it did not, so the caller goes on from there without a read of its own.
 */
import { ConditionalCheckFailedException, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import type { JobSnapshot } from '../../core/job-snapshot.ts';
import type { SnapshotWrite } from '../../core/ports.ts';
import { allows, applied, type Transition } from '../../core/transitions.ts';
import { fromItem } from './job-item.ts';
import { updateFor } from './job-writes.ts';
import type { StoreContext } from './store-context.ts';

/**
 * Precondition: the transition's (status, epoch, attempt, and `seq`, which the caller pins to the
 * snapshot's); writes what `applyTransition` would write for a job equal to the snapshot. Emits the same
 * stream record as that write.
 */
export async function applyToSnapshot(
  context: StoreContext,
  snapshot: JobSnapshot,
  transition: Transition,
): Promise<SnapshotWrite> {
  if (!allows(snapshot, transition)) throw new Error(`${transition.name} does not apply to its own snapshot`);
  const update = updateFor(context, snapshot, applied(snapshot, transition), transition);
  try {
    const { Attributes } = await context.client.send(
      new UpdateItemCommand({
        ...update,
        ReturnValues: 'ALL_NEW',
        ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
      }),
    );
    if (!Attributes) throw new Error('UpdateItem returned no attributes');
    return { applied: true, job: fromItem(Attributes) };
  } catch (error) {
    if (!(error instanceof ConditionalCheckFailedException)) throw error;
    return { applied: false, current: error.Item ? fromItem(error.Item) : null };
  }
}
