// Tasks the dispatcher cannot send to their node (larger than a node accepts, failing to
// encode, or needing a secret or config that cannot be sent) are marked rejected in the store,
// with the reason as their error: `docker service ps` shows it, and the orchestrator replaces
// or gives up on the task as for any rejection. A task that already finished is left as it is,
// so each task is written at most once.

import type { WriteTx } from '../store/index.js';
import { taskStateRank, type TaskStatus } from '../../api/objects/index.js';

export interface Rejection {
  readonly nodeId: string;
  readonly taskId: string;
  /** Why, worded for the user (it becomes the task's error). */
  readonly reason: string;
}

export type RejectionOutcome = 'rejected' | 'unknown-task' | 'other-node' | 'finished';

/** The status message of a task the dispatcher rejected. */
export const UNDELIVERABLE_MESSAGE = 'cannot be sent to its node';

const COMPLETE = taskStateRank('complete');

/** True once the task has stopped for good (nothing more to reject). */
export function hasFinished(state: TaskStatus['state']): boolean {
  return taskStateRank(state) >= COMPLETE;
}

export function applyRejections(tx: WriteTx, items: readonly Rejection[], now: string): RejectionOutcome[] {
  return items.map((r) => {
    const task = tx.get('tasks', r.taskId);
    if (task === undefined) return 'unknown-task';
    if (task.nodeId !== r.nodeId) return 'other-node';
    if (hasFinished(task.status.state)) return 'finished';
    tx.update('tasks', {
      ...task,
      status: { timestamp: now, state: 'rejected', message: UNDELIVERABLE_MESSAGE, err: r.reason },
    });
    return 'rejected';
  });
}
