/**
 * An SQS event source's on/off switch: deployed, a Lambda event source mapping (UpdateEventSourceMapping
 * Enabled); locally, the queue's poller behind the same API. A disabled source receives nothing, so its
 * queue costs no polls; its messages wait there until it is enabled again.
 */

/**
 * What the source is doing: settled on or off, on its way there (AWS takes seconds), or in a change of
 * its own (being created, updated by a deployment, deleted) that no switch may interrupt.
 */
export type EventSourceState = 'enabled' | 'enabling' | 'disabled' | 'disabling' | 'busy';

export interface EventSourceSwitch {
  state(): Promise<EventSourceState>;
  setEnabled(enabled: boolean): Promise<void>;
}

/**
 * What to do to make the source `wanted` (on or off): nothing when it is there or on its way, a switch
 * when it is settled the other way, and `wait` while it is busy or turning the other way (AWS refuses an
 * update then; whoever reconciles looks again on its next run).
 */
export type SwitchAction = 'none' | 'enable' | 'disable' | 'wait';

export function switchAction(wanted: boolean, state: EventSourceState): SwitchAction {
  if (state === (wanted ? 'enabled' : 'disabled') || state === (wanted ? 'enabling' : 'disabling'))
    return 'none';
  if (state === (wanted ? 'disabled' : 'enabled')) return wanted ? 'enable' : 'disable';
  return 'wait';
}
