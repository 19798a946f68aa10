// Slots: the unit an orchestrator keeps filled. A replicated service (or job) has numbered
// slots; a global service has one slot per node. A slot's tasks are its current task plus its
// history (replaced, failed, shut down).
//
// A slot is occupied when one of its tasks wants to run, or when its latest task ended by itself
// and the restart policy says it stays stopped (condition none, on-failure after success,
// attempts used up). A slot whose latest task may restart but has no replacement yet, or was
// stopped by the system (drain, lost node, update), is empty. Tasks being removed (desired
// 'remove') belong to no slot.

import type { Service, Task } from '../../api/objects/index.js';
import { isTaskDirty } from '../task/spec-key.js';
import { newest, wantsToRun } from '../task/task-state.js';

/** Ended by itself (exit, failure, rejection), not stopped by the orchestrator or a lost node. */
function endedOnItsOwn(task: Task): boolean {
  const s = task.status.state;
  return s === 'complete' || s === 'failed' || s === 'rejected';
}

function group<K>(tasks: readonly Task[], key: (t: Task) => K | undefined): Map<K, Task[]> {
  const slots = new Map<K, Task[]>();
  for (const t of tasks) {
    if (t.desiredState === 'remove') continue;
    const k = key(t);
    if (k === undefined) continue;
    const slot = slots.get(k);
    if (slot === undefined) slots.set(k, [t]);
    else slot.push(t);
  }
  return slots;
}

/** Tasks by slot number. */
export function slotsOf(tasks: readonly Task[]): Map<number, Task[]> {
  return group(tasks, (t) => t.slot);
}

/** Tasks by node (global services); unassigned tasks are left out. */
export function nodeSlotsOf(tasks: readonly Task[]): Map<string, Task[]> {
  return group(tasks, (t) => t.nodeId);
}

/** The tasks that keep a slot occupied, or undefined when the slot is empty (see above). */
export function occupants(
  service: Service,
  slot: readonly Task[],
  mayRestart: (task: Task) => boolean,
): Task[] | undefined {
  const live = slot.filter(wantsToRun);
  if (live.length > 0) return live;
  if (service.updateStatus?.state === 'rollback_started') return undefined;
  const last = newest(slot);
  if (last === undefined || !endedOnItsOwn(last)) return undefined;
  return mayRestart(last) ? undefined : [last];
}

/** A slot the updater must work on: more than one task wanting to run, or an older spec. */
export function isSlotDirty(service: Service, occupied: readonly Task[]): boolean {
  return occupied.length > 1 || occupied.some((t) => isTaskDirty(service, t));
}
