// What the task reaper deletes, pure: old history beyond `taskHistoryRetentionLimit` per slot
// (per node for global services), tasks being removed once they can no longer run, the stopped
// tasks of slots a scale-down removed, and the stopped tasks of nodes removed from the swarm.

import { isAttachmentTask, type Service, type Task } from '../../../api/objects/index.js';
import { hasStopped, wantsToRun } from '../../task/task-state.js';

/** Oldest first, by the time of the last status change, then creation, then ID. */
function byStatusTime(a: Task, b: Task): number {
  if (a.status.timestamp !== b.status.timestamp) return a.status.timestamp < b.status.timestamp ? -1 : 1;
  if (a.meta.createdAt !== b.meta.createdAt) return a.meta.createdAt < b.meta.createdAt ? -1 : 1;
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

/** A task that runs or is meant to: never deleted as history. */
function isCurrent(task: Task): boolean {
  return wantsToRun(task) && !hasStopped(task);
}

/**
 * The tasks of one slot to delete so that at most `limit` remain (a negative limit keeps all).
 * Only finished tasks go, oldest first; current ones are never deleted.
 */
export function historyToDelete(tasks: readonly Task[], limit: number): Task[] {
  if (limit < 0 || tasks.length <= limit) return [];
  let excess = tasks.length - limit;
  const out: Task[] = [];
  for (const t of [...tasks].sort(byStatusTime)) {
    if (excess === 0) break;
    if (isCurrent(t)) continue;
    out.push(t);
    excess--;
  }
  return out;
}

export interface RemovalFacts {
  readonly task: Task;
  /** The task's service, if it still exists. */
  readonly service: Service | undefined;
  /** Whether the task's node still exists. */
  readonly nodeExists: boolean;
  /** Whether the task's node still exists and is not down. */
  readonly nodeAlive: boolean;
}

/** What to do with a task that may be on its way out. */
export type Removal = 'delete' | 'mark-remove' | 'keep';

export function removal(f: RemovalFacts): Removal {
  const { task, service } = f;
  const slotGone =
    service !== undefined &&
    service.spec.mode.kind === 'replicated' &&
    task.slot > service.spec.mode.replicas &&
    !wantsToRun(task);
  const nodeGone = task.nodeId !== undefined && !f.nodeExists;
  // A network attachment has no service: it leaves when its node does (its container went with
  // it) or when it stopped (the node saw its container gone).
  if (isAttachmentTask(task)) return hasStopped(task) || nodeGone ? 'delete' : 'keep';
  const leaving =
    task.desiredState === 'remove' || service === undefined || slotGone || (nodeGone && !wantsToRun(task));
  if (!leaving) return 'keep';
  if (hasStopped(task) || task.nodeId === undefined || !f.nodeAlive) return 'delete';
  return wantsToRun(task) ? 'mark-remove' : 'keep';
}
