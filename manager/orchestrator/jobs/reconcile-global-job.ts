// A global job's decision, pure: one run to completion on every node that qualifies (including
// nodes that join while the job is current). A node where this iteration's task completed, or
// failed for good, gets nothing more; tasks of earlier iterations, and tasks on nodes that no
// longer qualify, are stopped.

import type { Node, Service, Task } from '../../../api/objects/index.js';
import { globalNodeFit, type NodeFit } from '../global/node-fit.js';
import { nodeSlotsOf, occupants } from '../slots.js';
import { isLive } from '../../task/task-state.js';
import { currentIteration, iterationOf } from './job-iteration.js';

export interface GlobalJobInput {
  readonly service: Service;
  readonly nodes: readonly Node[];
  readonly tasks: readonly Task[];
  readonly mayRestart: (task: Task) => boolean;
}

export interface GlobalJobPlan {
  readonly iteration: number;
  readonly create: readonly string[];
  readonly stop: readonly { readonly task: Task; readonly fit: NodeFit }[];
}

export function reconcileGlobalJob(input: GlobalJobInput): GlobalJobPlan {
  const { service } = input;
  if (service.spec.mode.kind !== 'globalJob')
    throw new RangeError(`service ${service.id} is not a global job`);
  const iteration = currentIteration(service);
  const stop: { task: Task; fit: NodeFit }[] = [];
  const current: Task[] = [];
  for (const t of input.tasks) {
    if (iterationOf(t) === iteration) current.push(t);
    else if (isLive(t)) stop.push({ task: t, fit: 'run' });
  }
  const byNode = nodeSlotsOf(current);
  const nodes = new Map(input.nodes.map((n) => [n.id, n]));
  const create: string[] = [];
  for (const nodeId of [...new Set([...nodes.keys(), ...byNode.keys()])].sort()) {
    const fit = globalNodeFit(service, nodes.get(nodeId));
    const tasks = byNode.get(nodeId) ?? [];
    if (fit !== 'run' && fit !== 'keep') {
      for (const task of tasks) if (isLive(task)) stop.push({ task, fit });
      continue;
    }
    if (tasks.some((t) => t.status.state === 'complete')) continue;
    if (fit === 'run' && occupants(service, tasks, input.mayRestart) === undefined) create.push(nodeId);
  }
  return { iteration, create, stop };
}
