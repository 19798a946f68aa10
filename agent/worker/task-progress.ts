// The rules of a task's state on the node: states only move forward (Swarm's lifecycle order),
// terminal states are final, and which desired states mean "run it" or "stop it".

import { taskStateRank, type TaskState, type TaskStatus } from '../../api/objects/index.js';

const RUNNING = taskStateRank('running');
const COMPLETE = taskStateRank('complete');

/** complete, shutdown, failed, rejected, remove, orphaned: nothing follows them on the node. */
export function isTerminal(state: TaskState): boolean {
  return taskStateRank(state) >= COMPLETE;
}

/** A desired state past `complete` (shutdown, remove, …) asks the node to stop the task. */
export function wantsStop(desired: TaskState): boolean {
  return taskStateRank(desired) > COMPLETE;
}

/** A desired state before `running` (e.g. ready) asks the node to prepare the task only. */
export function holdsBeforeStart(desired: TaskState): boolean {
  return taskStateRank(desired) < RUNNING;
}

/** Whether `next` may follow `current`: a later state, or the same state with news. */
export function advances(current: TaskStatus, next: TaskStatus): boolean {
  const from = taskStateRank(current.state);
  const to = taskStateRank(next.state);
  if (to > from) return !isTerminal(current.state);
  return (
    to === from &&
    !isTerminal(current.state) &&
    (next.message !== current.message || next.err !== current.err)
  );
}

/** The further along of two statuses (the local record and the manager's view after a restart). */
export function furthest(a: TaskStatus, b: TaskStatus | undefined): TaskStatus {
  if (b === undefined) return a;
  return taskStateRank(b.state) > taskStateRank(a.state) ? b : a;
}
