// The scheduling decision, pure over the nodes' current load: `schedule(nodes, tasks)` places
// each task or says why it cannot be placed. Identical tasks (same service and spec) are placed
// as a group: the filters run over every node once per group, then each task takes the least
// loaded fitting node from a heap (per spread branch). A task preassigned to a node (global
// services) is only checked against that node. Every decision is recorded on the NodeInfo at
// once, so the next decision sees it.

import { specKey } from '../task/spec-key.js';
import type { Service, Task } from '../../api/objects/index.js';
import type { NodeInfo } from './node-info.js';
import { noSuitableNode, Pipeline } from './pipeline.js';
import { SpreadTree } from './spread.js';
import { requirementsOf, type TaskRequirements } from './task-requirements.js';

/** Where one task goes, or why it cannot go anywhere now. */
export type PlacementDecision =
  | { readonly taskId: string; readonly nodeId: string }
  | {
      readonly taskId: string;
      readonly err: string;
      /** Set when placing the task threw (a spec the scheduler cannot read): the caller logs it. */
      readonly failure?: unknown;
    };

/** The reason a task gets when placing it threw: it waits, and the other tasks are placed. */
export function placementFailed(e: unknown): string {
  return `scheduler could not place this task: ${e instanceof Error ? e.message : String(e)}`;
}

export interface ScheduleContext {
  /** Every node the scheduler knows, by ID; placements are recorded on them. */
  readonly nodes: ReadonlyMap<string, NodeInfo>;
  /** Services by ID (for host-mode published ports). */
  readonly services: ReadonlyMap<string, Service>;
  /** Reused between calls (its counts are per task group). */
  readonly pipeline?: Pipeline;
}

/** Places `tasks` (unassigned, or preassigned to a node) and returns one decision per task. */
export function schedule(ctx: ScheduleContext, tasks: readonly Task[]): PlacementDecision[] {
  const pipeline = ctx.pipeline ?? new Pipeline();
  const decisions: PlacementDecision[] = [];
  // Service → spec → tasks (the spec key is cached per frozen spec, so its hash is too).
  const groups = new Map<string, Map<string, Task[]>>();
  for (const task of tasks) {
    // One task or group that throws gets a failure decision; the others are still placed.
    try {
      if (task.nodeId !== undefined) {
        decisions.push(placePreassigned(ctx, pipeline, task));
        continue;
      }
      let bySpec = groups.get(task.serviceId);
      if (bySpec === undefined) groups.set(task.serviceId, (bySpec = new Map<string, Task[]>()));
      const key = specKey(task.spec);
      const group = bySpec.get(key);
      if (group === undefined) bySpec.set(key, [task]);
      else group.push(task);
    } catch (e: unknown) {
      decisions.push({ taskId: task.id, err: placementFailed(e), failure: e });
    }
  }
  // Every group scans every node: an array, made once per call, walks faster than the map.
  const nodes = groups.size === 0 ? [] : [...ctx.nodes.values()];
  for (const bySpec of groups.values()) {
    for (const group of bySpec.values()) {
      group.sort((a, b) => a.slot - b.slot || (a.id < b.id ? -1 : 1));
      const before = decisions.length;
      try {
        placeGroup(ctx, nodes, pipeline, group, decisions);
      } catch (e: unknown) {
        const decided = new Set(decisions.slice(before).map((d) => d.taskId));
        for (const task of group) {
          if (!decided.has(task.id)) decisions.push({ taskId: task.id, err: placementFailed(e), failure: e });
        }
      }
    }
  }
  return decisions;
}

function placePreassigned(ctx: ScheduleContext, pipeline: Pipeline, task: Task): PlacementDecision {
  const nodeId = task.nodeId!;
  const node = ctx.nodes.get(nodeId);
  const req = requirementsOf(task, ctx.services.get(task.serviceId));
  if (node === undefined) return { taskId: task.id, err: noSuitableNode('node not found') };
  pipeline.setTask(req);
  if (!pipeline.process(node)) return { taskId: task.id, err: noSuitableNode(pipeline.explain()) };
  node.addTask(task, req.hostPorts);
  return { taskId: task.id, nodeId };
}

function placeGroup(
  ctx: ScheduleContext,
  nodes: readonly NodeInfo[],
  pipeline: Pipeline,
  group: readonly Task[],
  out: PlacementDecision[],
): void {
  const first = group[0]!;
  const req: TaskRequirements = requirementsOf(first, ctx.services.get(first.serviceId));
  pipeline.setTask(req);
  const eligible: NodeInfo[] = [];
  for (let i = 0; i < nodes.length; i++) if (pipeline.process(nodes[i]!)) eligible.push(nodes[i]!);
  const tree = new SpreadTree(eligible, req.spreadOver, req.serviceId);
  // Nodes that passed may fill up as the group is placed: they are checked again when taken.
  const fits = (node: NodeInfo): boolean => pipeline.process(node);
  let exhausted: string | undefined;
  for (const task of group) {
    const node = exhausted === undefined ? tree.take(fits) : undefined;
    if (node === undefined) {
      exhausted ??= noSuitableNode(pipeline.explain());
      out.push({ taskId: task.id, err: exhausted });
      continue;
    }
    node.addTask(task, req.hostPorts);
    tree.placed(node);
    out.push({ taskId: task.id, nodeId: node.id });
  }
}
