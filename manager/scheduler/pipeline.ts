// Runs the filters in Swarm's order over nodes for one task and counts, per filter, the nodes
// it turned away (a node is charged to the first filter it fails). `explain()` turns the counts
// into Docker's reason, most-failed filter first: "insufficient resources on 2 nodes; ...".

import type { Filter } from './filter.js';
import { availabilityFilter } from './filters/availability-filter.js';
import { constraintFilter } from './filters/constraint-filter.js';
import { hostPortFilter } from './filters/host-port-filter.js';
import { maxReplicasFilter } from './filters/max-replicas-filter.js';
import { platformFilter } from './filters/platform-filter.js';
import { readyFilter } from './filters/ready-filter.js';
import { resourceFilter } from './filters/resource-filter.js';
import type { NodeInfo } from './node-info.js';
import type { TaskRequirements } from './task-requirements.js';

export const DEFAULT_FILTERS: readonly Filter[] = [
  readyFilter,
  availabilityFilter,
  resourceFilter,
  constraintFilter,
  platformFilter,
  hostPortFilter,
  maxReplicasFilter,
];

export class Pipeline {
  readonly #all: readonly Filter[];
  #active: Filter[] = [];
  #failures: number[] = [];
  #req: TaskRequirements | undefined;

  constructor(filters: readonly Filter[] = DEFAULT_FILTERS) {
    this.#all = filters;
  }

  /** Starts a new task: picks the filters that apply and clears the counts. */
  setTask(req: TaskRequirements): void {
    this.#req = req;
    this.#active = this.#all.filter((f) => f.enabled(req));
    this.#failures = this.#active.map(() => 0);
  }

  /** True when the node passes every filter; otherwise charges the first one it fails. */
  process(node: NodeInfo): boolean {
    const req = this.#req;
    if (req === undefined) throw new RangeError('Pipeline.process before setTask');
    const active = this.#active;
    for (let i = 0; i < active.length; i++) {
      if (!active[i]!.check(req, node)) {
        this.#failures[i]!++;
        return false;
      }
    }
    return true;
  }

  /**
   * Why nodes were turned away, e.g. "insufficient resources on 2 nodes"; '' if none were.
   * Filters that give the same reason (ready, availability) are counted together; the reason
   * with most nodes comes first, ties in filter order.
   */
  explain(): string {
    const byReason = new Map<string, { filter: Filter; count: number; order: number }>();
    this.#active.forEach((filter, i) => {
      const count = this.#failures[i]!;
      if (count === 0) return;
      const key = filter.explain(1);
      const entry = byReason.get(key);
      if (entry === undefined) byReason.set(key, { filter, count, order: i });
      else entry.count += count;
    });
    return [...byReason.values()]
      .sort((a, b) => b.count - a.count || a.order - b.order)
      .map((e) => e.filter.explain(e.count))
      .join('; ');
  }
}

/** Docker's error for a task that fits nowhere. */
export function noSuitableNode(explanation: string): string {
  return explanation === '' ? 'no suitable node' : `no suitable node (${explanation})`;
}
