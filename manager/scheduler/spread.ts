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

/**
 * A node in the tree with its load for the service being placed, read when it goes into a heap
 * (built, or given back after a placement: within one group nothing else changes a node), so
 * heap comparisons read two numbers instead of looking the service up in the node's counts.
 */
interface Candidate {
  readonly node: NodeInfo;
  /** Tasks of the service on the node. */
  own: number;
  /** Tasks of every service on the node. */
  all: number;
  /** The node's leaf: the branch of its spread values (found once). */
  readonly leaf: Branch;
}

/** Node order for one service: fewest of its tasks, then fewest tasks, then ID. */
function lessLoaded(a: Candidate, b: Candidate): boolean {
  if (a.own !== b.own) return a.own < b.own;
  if (a.all !== b.all) return a.all < b.all;
  return a.node.id < b.node.id;
}

class Branch {
  count = 0;
  exhausted = false;
  readonly children = new Map<string, Branch>();
  leaf: Candidate[] | Heap<Candidate> = [];
  /** The branches from the root to this one, this one last (shared by the nodes below it). */
  readonly path: readonly Branch[];

  constructor(parent?: Branch) {
    this.path = parent === undefined ? [this] : [...parent.path, this];
  }
}

export class SpreadTree {
  readonly #root = new Branch();
  readonly #over: readonly string[];
  readonly #serviceId: string;
  /** The candidate `take` returned last (what `placed` gives back). */
  #taken: Candidate | undefined;

  constructor(nodes: readonly NodeInfo[], spreadOver: readonly string[], serviceId: string) {
    this.#over = spreadOver;
    this.#serviceId = serviceId;
    for (const node of nodes) {
      const all = node.activeTasks;
      const tasks = all === 0 ? 0 : node.serviceTasks(serviceId);
      let branch = this.#root;
      branch.count += tasks;
      for (const attribute of spreadOver) {
        const value = spreadValue(node.node, attribute);
        let child = branch.children.get(value);
        if (child === undefined) {
          child = new Branch(branch);
          branch.children.set(value, child);
        }
        child.count += tasks;
        branch = child;
      }
      (branch.leaf as Candidate[]).push({ node, own: tasks, all, leaf: branch });
    }
    const heapify = (b: Branch): void => {
      b.leaf = new Heap(lessLoaded, b.leaf as Candidate[]);
      for (const child of b.children.values()) heapify(child);
    };
    heapify(this.#root);
  }

  /**
   * Takes the best node that `fits` accepts out of the tree (nodes it rejects are dropped for
   * good: within one pass nodes only fill up). Give it back with `placed` once a task is on it.
   */
  take(fits: (node: NodeInfo) => boolean): NodeInfo | undefined {
    this.#taken = this.#take(this.#root, 0, fits);
    return this.#taken?.node;
  }

  #take(branch: Branch, depth: number, fits: (node: NodeInfo) => boolean): Candidate | undefined {
    if (branch.exhausted) return undefined;
    if (depth === this.#over.length) {
      const heap = branch.leaf as Heap<Candidate>;
      for (let c = heap.pop(); c !== undefined; c = heap.pop()) if (fits(c.node)) return c;
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
      const c = this.#take(best[1], depth + 1, fits);
      if (c !== undefined) return c;
    }
  }

  /** Returns the node `take` returned last, after a task of the service was placed on it. */
  placed(node: NodeInfo): void {
    const c = this.#taken;
    if (c === undefined || c.node !== node)
      throw new RangeError(`node ${node.id} was not the node taken last`);
    this.#taken = undefined;
    for (const branch of c.leaf.path) {
      branch.count++;
      branch.exhausted = false;
    }
    c.own = node.serviceTasks(this.#serviceId);
    c.all = node.activeTasks;
    (c.leaf.leaf as Heap<Candidate>).push(c);
  }
}
