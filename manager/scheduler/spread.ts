// Where the next task of a service goes among the nodes that passed the filters: spread first
// over the values of each placement preference (`--placement-pref spread=node.labels.zone`: each
// value, including "no such label", gets an equal share), then to the node with the fewest tasks
// of this service, then the fewest tasks overall. Each leaf keeps its nodes in a heap.

import type { Node } from '../../api/objects/index.js';
import { nodeAttribute } from '../constraint/constraint.js';
import { Heap } from './node-heap.js';
import type { NodeInfo } from './node-info.js';

/** The value a node has for a spread attribute ('' when it has none). */
export function spreadValue(node: Node, attribute: string): string {
  return nodeAttribute(node, attribute) ?? '';
}

/** Node order for one service: fewest of its tasks, then fewest tasks, then ID. */
export function lessLoaded(serviceId: string): (a: NodeInfo, b: NodeInfo) => boolean {
  return (a, b) => {
    const sa = a.serviceTasks(serviceId);
    const sb = b.serviceTasks(serviceId);
    if (sa !== sb) return sa < sb;
    if (a.activeTasks !== b.activeTasks) return a.activeTasks < b.activeTasks;
    return a.id < b.id;
  };
}

class Branch {
  count = 0;
  exhausted = false;
  readonly children = new Map<string, Branch>();
  leaf: NodeInfo[] | Heap<NodeInfo> = [];
}

export class SpreadTree {
  readonly #root = new Branch();
  readonly #over: readonly string[];

  constructor(nodes: readonly NodeInfo[], spreadOver: readonly string[], serviceId: string) {
    this.#over = spreadOver;
    for (const node of nodes) {
      const tasks = node.serviceTasks(serviceId);
      let branch = this.#root;
      branch.count += tasks;
      for (const attribute of spreadOver) {
        const value = spreadValue(node.node, attribute);
        let child = branch.children.get(value);
        if (child === undefined) {
          child = new Branch();
          branch.children.set(value, child);
        }
        child.count += tasks;
        branch = child;
      }
      (branch.leaf as NodeInfo[]).push(node);
    }
    const less = lessLoaded(serviceId);
    const heapify = (b: Branch): void => {
      b.leaf = new Heap(less, b.leaf as NodeInfo[]);
      for (const child of b.children.values()) heapify(child);
    };
    heapify(this.#root);
  }

  /**
   * Takes the best node that `fits` accepts out of the tree (nodes it rejects are dropped for
   * good: within one pass nodes only fill up). Give it back with `placed` once a task is on it.
   */
  take(fits: (node: NodeInfo) => boolean): NodeInfo | undefined {
    return this.#take(this.#root, 0, fits);
  }

  #take(branch: Branch, depth: number, fits: (node: NodeInfo) => boolean): NodeInfo | undefined {
    if (branch.exhausted) return undefined;
    if (depth === this.#over.length) {
      const heap = branch.leaf as Heap<NodeInfo>;
      for (let node = heap.pop(); node !== undefined; node = heap.pop()) if (fits(node)) return node;
      branch.exhausted = true;
      return undefined;
    }
    for (;;) {
      let best: [string, Branch] | undefined;
      for (const entry of branch.children) {
        const [value, child] = entry;
        if (child.exhausted) continue;
        if (
          best === undefined ||
          child.count < best[1].count ||
          (child.count === best[1].count && value < best[0])
        ) {
          best = entry;
        }
      }
      if (best === undefined) {
        branch.exhausted = true;
        return undefined;
      }
      const node = this.#take(best[1], depth + 1, fits);
      if (node !== undefined) return node;
    }
  }

  /** Returns a node taken with `take` after a task of the service was placed on it. */
  placed(node: NodeInfo): void {
    let branch = this.#root;
    for (let depth = 0; ; depth++) {
      branch.count++;
      branch.exhausted = false;
      if (depth === this.#over.length) break;
      const child = branch.children.get(spreadValue(node.node, this.#over[depth]!));
      if (child === undefined) throw new RangeError(`node ${node.id} is not in the spread tree`);
      branch = child;
    }
    (branch.leaf as Heap<NodeInfo>).push(node);
  }
}
