// A scheduling filter: one reason a node can be unfit for a task. Filters are pure over the
// task's requirements and the node's current state; the pipeline runs them in order and counts,
// per filter, the nodes it turned away, which is how Docker explains a pending task.

import type { NodeInfo } from './node-info.js';
import type { TaskRequirements } from './task-requirements.js';

export interface Filter {
  readonly name: string;
  /** False when the filter has nothing to check for this task (it is then skipped). */
  enabled(req: TaskRequirements): boolean;
  /** True when the node passes. */
  check(req: TaskRequirements, node: NodeInfo): boolean;
  /** Docker's wording for `nodes` nodes failing this filter. */
  explain(nodes: number): string;
}

/** "1 node" / "3 nodes". */
export function nodesPhrase(nodes: number): string {
  return nodes === 1 ? '1 node' : `${nodes} nodes`;
}
