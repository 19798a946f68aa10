// One walk over the store's nodes and tasks for a scrape: tasks per node and state, and the
// pending tasks by the category of their reason. Pure over a read transaction; labels come
// only from the nodes the store holds and the fixed task states and reasons, so the number
// of series is bounded by the cluster, never by what a client sends.

import { TASK_STATES, type TaskState } from '../../api/objects/index.js';
import { PENDING_REASONS, pendingReason, type PendingReason } from '../scheduler/pending-reason.js';
import type { ReadTx } from '../store/read-tx.js';
import { wantsToRun } from '../task/task-state.js';

export interface NodeTaskCounts {
  readonly nodeId: string;
  /** The node's hostname, or its ID before its agent reported one. */
  readonly name: string;
  /** Tasks per state, indexed as TASK_STATES. */
  readonly byState: number[];
}

export interface TaskCounts {
  readonly nodes: readonly NodeTaskCounts[];
  readonly pending: ReadonlyMap<PendingReason, number>;
}

const STATE_INDEX = new Map<TaskState, number>(TASK_STATES.map((s, i) => [s, i]));

export function countTasks(tx: ReadTx): TaskCounts {
  const byNode = new Map<string, NodeTaskCounts>();
  for (const n of tx.list('nodes')) {
    byNode.set(n.id, {
      nodeId: n.id,
      name: n.description?.hostname || n.id,
      byState: new Array<number>(TASK_STATES.length).fill(0),
    });
  }
  const pending = new Map<PendingReason, number>(PENDING_REASONS.map((r) => [r, 0]));
  for (const t of tx.list('tasks')) {
    if (t.nodeId !== undefined) {
      const counts = byNode.get(t.nodeId);
      const i = STATE_INDEX.get(t.status.state);
      if (counts !== undefined && i !== undefined) counts.byState[i]!++;
    }
    if (t.status.state === 'pending' && wantsToRun(t)) {
      const reason = pendingReason(t.status.err);
      pending.set(reason, pending.get(reason)! + 1);
    }
  }
  return { nodes: [...byNode.values()], pending };
}
