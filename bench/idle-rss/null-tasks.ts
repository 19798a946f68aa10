// A node's tasks under a null executor: what the idle-RSS bench's nodes do with assignments
// (accepted → running at once, shutdown when asked), so their sessions stay healthy.

import type { TaskState, TaskStatus } from '../../api/objects/index.js';
import type { AssignmentChange, TaskStatusReport } from '../../api/wire/assignments.js';

function status(state: TaskState): TaskStatus {
  return { timestamp: new Date().toISOString(), state, message: state };
}

/** The reports that follow one assignment change, given what was reported before (updated in place). */
export function nullTaskReports(
  change: AssignmentChange,
  reported: Map<string, TaskState>,
): TaskStatusReport[] {
  const out: TaskStatusReport[] = [];
  if (change.full) {
    const keep = new Set(change.updated.map((t) => t.id));
    for (const id of [...reported.keys()]) if (!keep.has(id)) reported.delete(id);
  }
  for (const id of change.removed) reported.delete(id);
  for (const t of change.updated) {
    const last = reported.get(t.id);
    if (t.desiredState === 'running' && last === undefined) {
      reported.set(t.id, 'running');
      for (const s of ['accepted', 'preparing', 'ready', 'starting', 'running'] as const)
        out.push({ taskId: t.id, status: status(s) });
    } else if (t.desiredState !== 'running' && t.desiredState !== 'ready' && last !== 'shutdown') {
      reported.set(t.id, 'shutdown');
      out.push({ taskId: t.id, status: status('shutdown') });
    }
  }
  return out;
}
