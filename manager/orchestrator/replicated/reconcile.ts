// The replicated orchestrator's decision for one service, pure over its tasks: one task per
// slot 1..replicas. Missing slots get a task; on scale-down the highest slots are removed
// (desired state 'remove': the agent stops them and the reaper deletes them); slots still
// running an older spec are handed to the rolling updater.
//
// Which slots count as occupied is decided in ../slots.ts.

import type { Service, Task } from '../../store/objects/index.js';
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
}

export function reconcileReplicated(input: ReplicatedInput): ReplicatedPlan {
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
  const kept = [...occupied.keys()].sort((a, b) => a - b);
  if (kept.length < mode.replicas) {
    for (let slot = 1; create.length < mode.replicas - kept.length; slot++) {
      if (!occupied.has(slot)) create.push(slot);
    }
  } else if (kept.length > mode.replicas) {
    for (const slot of kept.splice(mode.replicas).reverse()) {
      remove.push(...occupied.get(slot)!);
    }
  }
  const update = kept.some((slot) => isSlotDirty(service, occupied.get(slot)!));
  return { create, remove, update };
}
