// The global orchestrator's decision for one service over some nodes, pure: one task per node
// that should run it; tasks on nodes that no longer qualify (drained, down, removed, placement
// no longer satisfied) are stopped; a node whose task stopped for good (restart policy) is left
// alone; nodes whose task runs an older spec are handed to the rolling updater.

import type { Node, Service, Task } from '../../../api/objects/index.js';
import { isSlotDirty, nodeSlotsOf, occupants } from '../slots.js';
import { wantsToRun } from '../../task/task-state.js';
import { globalNodeFit, type NodeFit } from './node-fit.js';

export interface GlobalInput {
  readonly service: Service;
  /** The nodes to reconcile (all of them, or the ones that changed). */
  readonly nodes: readonly Node[];
  /** Tasks of the service on those nodes; tasks on nodes not listed count as on removed nodes. */
  readonly tasks: readonly Task[];
  readonly mayRestart: (task: Task) => boolean;
}

export interface GlobalPlan {
  /** Nodes that need a task. */
  readonly create: readonly string[];
  /** Tasks to stop, and why their node no longer qualifies. */
  readonly stop: readonly { readonly task: Task; readonly fit: Exclude<NodeFit, 'run' | 'keep'> }[];
  /** Some node's task runs an older spec. */
  readonly update: boolean;
}

export function reconcileGlobal(input: GlobalInput): GlobalPlan {
  const { service } = input;
  if (service.spec.mode.kind !== 'global') throw new RangeError(`service ${service.id} is not global`);
  const byNode = nodeSlotsOf(input.tasks);
  const create: string[] = [];
  const stop: { task: Task; fit: Exclude<NodeFit, 'run' | 'keep'> }[] = [];
  let update = false;
  const nodes = new Map(input.nodes.map((n) => [n.id, n]));
  const ids = new Set([...nodes.keys(), ...byNode.keys()]);
  for (const nodeId of [...ids].sort()) {
    const fit = globalNodeFit(service, nodes.get(nodeId));
    const tasks = byNode.get(nodeId) ?? [];
    if (fit !== 'run' && fit !== 'keep') {
      for (const task of tasks) if (wantsToRun(task)) stop.push({ task, fit });
      continue;
    }
    const occupied = occupants(service, tasks, input.mayRestart);
    if (occupied === undefined) {
      if (fit === 'run') create.push(nodeId);
    } else if (isSlotDirty(service, occupied)) {
      update = true;
    }
  }
  return { create, stop, update };
}
