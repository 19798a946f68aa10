// Applying the task status reports of agents to the store: only the reporting node's own
// tasks, only forward moves through the task lifecycle, and nothing for a repeat of the
// status already stored. The dispatcher stamps who applied it and when.

import { isDeepStrictEqual } from 'node:util';
import type { WriteTx } from '../store/index.js';
import { taskStateRank, type TaskStatus } from '../../api/objects/index.js';

export interface StatusReport {
  readonly nodeId: string;
  readonly taskId: string;
  readonly status: TaskStatus;
}

export type StatusOutcome = 'applied' | 'unknown-task' | 'other-node' | 'backwards' | 'unchanged';

function withoutStamp(s: TaskStatus): TaskStatus {
  const rest = { ...s };
  delete rest.appliedBy;
  delete rest.appliedAt;
  return rest;
}

/** What a report would do to the task as `tx` has it. */
export function judgeStatus(tx: WriteTx, r: StatusReport): StatusOutcome {
  const task = tx.get('tasks', r.taskId);
  if (task === undefined) return 'unknown-task';
  if (task.nodeId !== r.nodeId) return 'other-node';
  const from = taskStateRank(task.status.state);
  const to = taskStateRank(r.status.state);
  if (to < from) return 'backwards';
  if (to === from && isDeepStrictEqual(withoutStamp(task.status), withoutStamp(r.status))) return 'unchanged';
  return 'applied';
}

/** Applies a batch of reports in order (a later report sees an earlier one's write). */
export function applyStatusReports(
  tx: WriteTx,
  reports: readonly StatusReport[],
  now: string,
): StatusOutcome[] {
  return reports.map((r) => {
    const outcome = judgeStatus(tx, r);
    if (outcome !== 'applied') return outcome;
    const task = tx.get('tasks', r.taskId);
    if (task === undefined) return 'unknown-task';
    tx.update('tasks', { ...task, status: { ...r.status, appliedBy: r.nodeId, appliedAt: now } });
    return outcome;
  });
}
