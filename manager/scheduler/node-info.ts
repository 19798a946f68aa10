// What the scheduler knows about one node: the node object and the tasks placed on it that
// still hold resources, with running totals (reserved CPU and memory, tasks per service,
// host-mode ports in use) kept up to date as tasks come and go, so no decision rescans tasks.

import type { Node, Task } from '../../api/objects/index.js';
import { taskStateRank } from '../../api/objects/index.js';

const ASSIGNED = taskStateRank('assigned');
const RUNNING = taskStateRank('running');

/** A task holds resources on its node from 'assigned' until it stops (whatever its desired state). */
export function holdsResources(task: Task): boolean {
  if (task.nodeId === undefined) return false;
  const rank = taskStateRank(task.status.state);
  return rank >= ASSIGNED && rank <= RUNNING;
}

/** A task counts towards spreading while it is meant to keep running. */
function countsForSpread(task: Task): boolean {
  const d = task.desiredState;
  return d === 'ready' || d === 'running' || d === 'complete' || taskStateRank(d) < ASSIGNED;
}

function samePorts(a: readonly string[], b: readonly string[]): boolean {
  if (a === b) return true;
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

interface Held {
  readonly serviceId: string;
  readonly nanoCPUs: number;
  readonly memoryBytes: number;
  readonly ports: readonly string[];
  readonly spread: boolean;
}

export class NodeInfo {
  node: Node;
  readonly #tasks = new Map<string, Held>();
  readonly #perService = new Map<string, number>();
  readonly #ports = new Map<string, number>();
  #reservedCPUs = 0;
  #reservedMemory = 0;
  #spreadCount = 0;

  constructor(node: Node) {
    this.node = node;
  }

  get id(): string {
    return this.node.id;
  }

  /** Tasks on the node that are meant to keep running (all services). */
  get activeTasks(): number {
    return this.#spreadCount;
  }

  /** Tasks of `serviceId` on the node that are meant to keep running. */
  serviceTasks(serviceId: string): number {
    return this.#perService.get(serviceId) ?? 0;
  }

  hasTask(taskId: string): boolean {
    return this.#tasks.has(taskId);
  }

  get availableCPUs(): number {
    return (this.node.description?.resources.nanoCPUs ?? 0) - this.#reservedCPUs;
  }

  get availableMemory(): number {
    return (this.node.description?.resources.memoryBytes ?? 0) - this.#reservedMemory;
  }

  portInUse(port: string): boolean {
    return (this.#ports.get(port) ?? 0) > 0;
  }

  /** Records (or re-records) a task on this node; `ports` are its host-mode ports. */
  addTask(task: Task, ports: readonly string[]): void {
    const r = task.spec.resources.reservations;
    const nanoCPUs = r?.nanoCPUs ?? 0;
    const memoryBytes = r?.memoryBytes ?? 0;
    const spread = countsForSpread(task);
    // The store's echo of a placement the scheduler has just recorded holds the same: keep it.
    const was = this.#tasks.get(task.id);
    if (was !== undefined) {
      if (
        was.serviceId === task.serviceId &&
        was.nanoCPUs === nanoCPUs &&
        was.memoryBytes === memoryBytes &&
        was.spread === spread &&
        samePorts(was.ports, ports)
      ) {
        return;
      }
      this.removeTask(task.id);
    }
    const held: Held = { serviceId: task.serviceId, nanoCPUs, memoryBytes, ports, spread };
    this.#tasks.set(task.id, held);
    this.#reservedCPUs += held.nanoCPUs;
    this.#reservedMemory += held.memoryBytes;
    for (const p of ports) this.#ports.set(p, (this.#ports.get(p) ?? 0) + 1);
    if (held.spread) {
      this.#spreadCount++;
      this.#perService.set(held.serviceId, this.serviceTasks(held.serviceId) + 1);
    }
  }

  /** Forgets a task; returns whether it was here. */
  removeTask(taskId: string): boolean {
    const held = this.#tasks.get(taskId);
    if (held === undefined) return false;
    this.#tasks.delete(taskId);
    this.#reservedCPUs -= held.nanoCPUs;
    this.#reservedMemory -= held.memoryBytes;
    for (const p of held.ports) {
      const n = (this.#ports.get(p) ?? 0) - 1;
      if (n > 0) this.#ports.set(p, n);
      else this.#ports.delete(p);
    }
    if (held.spread) {
      this.#spreadCount--;
      const n = this.serviceTasks(held.serviceId) - 1;
      if (n > 0) this.#perService.set(held.serviceId, n);
      else this.#perService.delete(held.serviceId);
    }
    return true;
  }
}
