// The replicated orchestrator's decision for one service, pure over its tasks: one task per
// slot 1..replicas. Missing slots get a task; on scale-down the highest slots are removed
// (desired state 'remove': the agent stops them and the reaper deletes them); slots still
// running an older spec are handed to the rolling updater.
//
// Which slots count as occupied is decided in ../slots.ts. A plan creates or removes at most
// `limit` tasks (`more` says there is more to do on a later pass): its work is bounded by the
// service's tasks plus the limit, never by `replicas` itself.

import type { Service, Task } from '../../../api/objects/index.js';
import { MAX_TASK_CHANGES_PER_SERVICE } from '../pass-limits.js';
import { isSlotDirty, occupants, slotsOf } from '../slots.js';

export interface ReplicatedInput {
  readonly service: Service;
  /** Every task of the service. */
  readonly tasks: readonly Task[];
  /** Whether a stopped task would be replaced under its restart policy. */
  readonly mayRestart: (task: Task) => boolean;
}

export interface ReplicatedPlan {
  /** Slots that need a new task, ascending. */
  readonly create: readonly number[];
  /** Tasks to stop and delete (scale-down: every occupant of the highest slots). */
  readonly remove: readonly Task[];
  /** Some kept slot runs an older spec (or has more than one task wanting to run). */
  readonly update: boolean;
  /** The plan was cut at the limit: reconcile the service again on the next pass. */
  readonly more: boolean;
}

export function reconcileReplicated(
  input: ReplicatedInput,
  limit = MAX_TASK_CHANGES_PER_SERVICE,
): ReplicatedPlan {
  const { service } = input;
  const mode = service.spec.mode;
  if (mode.kind !== 'replicated') throw new RangeError(`service ${service.id} is not replicated`);
  const occupied = new Map<number, Task[]>();
  for (const [slot, tasks] of slotsOf(input.tasks)) {
    const o = occupants(service, tasks, input.mayRestart);
    if (o !== undefined) occupied.set(slot, o);
  }
  const create: number[] = [];
  const remove: Task[] = [];
  let more = false;
  const kept = [...occupied.keys()].sort((a, b) => a - b);
  if (kept.length < mode.replicas) {
    // Visits at most kept.length + limit slots, whatever `replicas` says.
    const missing = mode.replicas - kept.length;
    const wanted = Math.min(missing, limit);
    more = missing > wanted;
    for (let slot = 1; create.length < wanted; slot++) {
      if (!occupied.has(slot)) create.push(slot);
    }
  } else if (kept.length > mode.replicas) {
    // Highest slots first; the next pass removes the next ones.
    const extra = kept.splice(mode.replicas).reverse();
    more = extra.length > limit;
    for (const slot of extra.slice(0, limit)) {
      for (const t of occupied.get(slot)!) remove.push(t);
    }
    // Slots left for a later pass stay as they are meanwhile (not handed to the updater).
  }
  const update = kept.some((slot) => isSlotDirty(service, occupied.get(slot)!));
  return { create, remove, update, more };
}
