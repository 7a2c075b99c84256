/**
 * The comparison users make: the same job lifecycle as an AWS Step Functions Standard workflow, billed per
 * state transition. The model is the smallest workflow that keeps what this queue keeps (a job record
 * clients can read, its progress, its retries with backoff, its outcome):
 *
 *   Start (Pass: record the job as queued)
 *   → Claim (Task, DynamoDB UpdateItem: running, attempt + 1)
 *   → Run (Task: invoke the agent's Lambda)
 *       each progress update: one Task state writing it (DynamoDB UpdateItem)
 *       on a retryable error: RecordRetry (Task: status retrying) → Wait (backoff) → back to Claim
 *   → RecordResult (Task, DynamoDB UpdateItem: completed + result) → Succeed
 *
 * A job of durable steps is the workflow Step Functions is made for: Run becomes one Task state per step
 * (its result kept in the execution's state, so a retry re-runs only the failed Task); the state the
 * execution is in is its progress, so no progress Tasks; a workflow runs up to a year, so there is nothing
 * like a continuation to pay for.
 *
 * Every state entered is one transition (retries included, as AWS bills them). Not counted: the
 * Lambda, DynamoDB and API Gateway charges such a workflow would still pay for the same work, so this is
 * the Step Functions line alone, a lower bound for that design.
 */
export interface Lifecycle {
  /** Runs of the agent (1 + retries). */
  runs: number;
  /** Progress updates the agent reports over the job. */
  progressUpdates: number;
  /** Durable steps of the job: one Task state each instead of Run (and of the progress Tasks). */
  steps?: number;
}

export function standardWorkflowTransitions(lifecycle: Lifecycle) {
  const retries = lifecycle.runs - 1;
  const stepped = lifecycle.steps !== undefined && lifecycle.steps > 0;
  const breakdown = [
    { state: 'Start', count: 1 },
    { state: 'Claim', count: lifecycle.runs },
    ...(stepped
      ? [{ state: 'Step (Task)', count: lifecycle.steps ?? 0 }]
      : [
          { state: 'Run', count: lifecycle.runs },
          { state: 'Progress', count: lifecycle.progressUpdates },
        ]),
    { state: 'RecordRetry', count: retries },
    { state: 'Wait', count: retries },
    { state: 'RecordResult', count: 1 },
    { state: 'Succeed', count: 1 },
  ].filter((entry) => entry.count > 0);
  return { transitions: breakdown.reduce((sum, entry) => sum + entry.count, 0), breakdown };
}
