// A replicated job's decision, pure: run tasks until `totalCompletions` of them have completed,
// at most `maxConcurrent` at a time (0: all at once). Slots 0..totalCompletions-1 as in swarmkit
// (the docker CLI's job progress reads slots from 0 and waits for each of them): a slot is done
// once a task in it completed (never run again), busy while a task wants to run, finished when
// its last task failed and may not restart; free slots get new tasks, lowest first. Tasks of
// earlier iterations that still run are stopped. At most `limit` tasks are created per plan
// (`more`: come back on the next pass), so the work never grows with totalCompletions or
// maxConcurrent themselves.

import type { Service, Task } from '../../../api/objects/index.js';
import { MAX_TASK_CHANGES_PER_SERVICE } from '../pass-limits.js';
import { occupants, slotsOf } from '../slots.js';
import { isLive, wantsToRun } from '../../task/task-state.js';
import { currentIteration, iterationOf } from './job-iteration.js';

export interface ReplicatedJobInput {
  readonly service: Service;
  readonly tasks: readonly Task[];
  readonly mayRestart: (task: Task) => boolean;
}

export interface ReplicatedJobPlan {
  readonly iteration: number;
  /** Slots that get a new task now. */
  readonly create: readonly number[];
  /** Tasks of earlier iterations to stop. */
  readonly stop: readonly Task[];
  /** Completed slots so far (for status). */
  readonly completed: number;
  /** Creation was cut at the limit: reconcile the job again on the next pass. */
  readonly more: boolean;
}

export function reconcileReplicatedJob(
  input: ReplicatedJobInput,
  limit = MAX_TASK_CHANGES_PER_SERVICE,
): ReplicatedJobPlan {
  const { service } = input;
  const mode = service.spec.mode;
  if (mode.kind !== 'replicatedJob') throw new RangeError(`service ${service.id} is not a replicated job`);
  const iteration = currentIteration(service);
  const stop: Task[] = [];
  const current: Task[] = [];
  for (const t of input.tasks) {
    if (iterationOf(t) === iteration) current.push(t);
    else if (isLive(t)) stop.push(t);
  }
  let completed = 0;
  let busy = 0;
  const taken = new Set<number>();
  for (const [slot, tasks] of slotsOf(current)) {
    if (tasks.some((t) => t.status.state === 'complete')) {
      completed++;
      taken.add(slot);
      continue;
    }
    const o = occupants(service, tasks, input.mayRestart);
    if (o === undefined) continue;
    taken.add(slot);
    if (o.some(wantsToRun)) busy++;
  }
  const concurrency = mode.maxConcurrent > 0 ? mode.maxConcurrent : mode.totalCompletions;
  // Free slots left, and how many may start now; the loop visits at most taken.size + limit
  // slots whatever the spec's numbers.
  let takenInRange = 0;
  for (const slot of taken) if (slot >= 0 && slot < mode.totalCompletions) takenInRange++;
  const free = Math.max(0, mode.totalCompletions - takenInRange);
  const startable = Math.min(free, Math.max(0, concurrency - busy));
  const wanted = Math.min(startable, limit);
  const create: number[] = [];
  for (let slot = 0; slot < mode.totalCompletions && create.length < wanted; slot++) {
    if (!taken.has(slot)) create.push(slot);
  }
  return { iteration, create, stop, completed, more: startable > wanted };
}
