// Which tasks, secrets and configs a node is sent, as pure functions over a store view, and
// the per-node tracker that turns task changes into the incremental messages of one session.
//
// A task belongs to its node's set once the scheduler has committed it (state >= assigned),
// whatever its desired state: the worker needs the tasks to run and the ones to shut down,
// and keeps finished containers (for logs) until the task leaves the set (deleted by the task
// reaper, or moved to another node). Secrets and configs go along with the tasks that still
// need them (state <= running). Status changes the agent itself reported are not echoed back:
// a task is re-sent only when something besides its status changed, or while its state is
// one the managers set (assigned and below).

import type { NodeNetworkView } from '../../api/network/network-view.js';
import { isDeepStrictEqual } from 'node:util';
import type { ReadTx } from '../store/read-tx.js';
import { taskStateRank, type Config, type Secret, type Task } from '../../api/objects/index.js';

const ASSIGNED = taskStateRank('assigned');
const RUNNING = taskStateRank('running');

/** The scheduler has committed the task to its node. */
export function isAssigned(task: Task): boolean {
  return taskStateRank(task.status.state) >= ASSIGNED;
}

/** The task may still run, so the node needs its secrets and configs. */
export function needsDependencies(task: Task): boolean {
  return taskStateRank(task.status.state) <= RUNNING;
}

/** Two versions of a task are the same assignment: equal in everything but status and meta. */
export function equivalentTask(a: Task, b: Task): boolean {
  const ra = a as unknown as Record<string, unknown>;
  const rb = b as unknown as Record<string, unknown>;
  for (const key of new Set([...Object.keys(ra), ...Object.keys(rb)])) {
    if (key === 'status' || key === 'meta') continue;
    if (!isDeepStrictEqual(ra[key], rb[key])) return false;
  }
  return true;
}

export interface Dependencies {
  readonly secrets: Secret[];
  readonly configs: Config[];
}

/** Secrets and configs referenced by `tasks` that still need them, each once. */
export function dependenciesOf(tx: ReadTx, tasks: Iterable<Task>): Dependencies {
  const secrets = new Map<string, Secret>();
  const configs = new Map<string, Config>();
  for (const task of tasks) {
    if (!needsDependencies(task)) continue;
    for (const ref of task.spec.containerSpec.secrets) {
      if (secrets.has(ref.secretId)) continue;
      const s = tx.get('secrets', ref.secretId);
      if (s !== undefined) secrets.set(s.id, s);
    }
    for (const ref of task.spec.containerSpec.configs) {
      if (configs.has(ref.configId)) continue;
      const c = tx.get('configs', ref.configId);
      if (c !== undefined) configs.set(c.id, c);
    }
  }
  return { secrets: [...secrets.values()], configs: [...configs.values()] };
}

/** True when some task in `tasks` that still needs dependencies references the secret or config. */
export function references(tasks: Iterable<Task>, kind: 'secrets' | 'configs', id: string): boolean {
  for (const task of tasks) {
    if (!needsDependencies(task)) continue;
    const refs =
      kind === 'secrets'
        ? task.spec.containerSpec.secrets.map((r) => r.secretId)
        : task.spec.containerSpec.configs.map((r) => r.configId);
    if (refs.includes(id)) return true;
  }
  return false;
}

/** One message for the agent: the full set, or the changes since the previous message. */
export interface AssignmentBatch {
  readonly full: boolean;
  readonly updated: Task[];
  readonly removed: string[];
  readonly secrets: Secret[];
  readonly configs: Config[];
  /** Store index the batch reflects. */
  readonly index: number;
}

/** A batch as it goes to the node: with its network view when that changed. */
export interface OutgoingAssignments extends AssignmentBatch {
  readonly networkView?: NodeNetworkView;
}

/**
 * What one node's session has been sent, and what to send next. `reset` computes the full
 * set; `taskChanged` / `taskRemoved` / `dependencyChanged` record changes; `take` returns
 * the pending incremental batch (or undefined if nothing changed).
 */
export class NodeAssignments {
  readonly nodeId: string;
  /** Tasks in the node's set, as last seen. */
  readonly #tasks = new Map<string, Task>();
  #updated = new Map<string, Task>();
  #removed = new Set<string>();
  #secrets = new Map<string, Secret>();
  #configs = new Map<string, Config>();
  /** Store index of the full set: changes at or below it are already in it. */
  #base = 0;
  /** Store index of the last change recorded (or of the full set). */
  #index = 0;

  constructor(nodeId: string) {
    this.nodeId = nodeId;
  }

  /** Index the tracker reflects. */
  get index(): number {
    return this.#index;
  }

  get tasks(): Iterable<Task> {
    return this.#tasks.values();
  }

  /** Builds the node's complete set from `tx` (the state at store index `index`). */
  reset(tx: ReadTx, index: number): AssignmentBatch {
    this.#tasks.clear();
    this.#clearPending();
    for (const task of tx.find('tasks', 'nodeId', this.nodeId)) {
      if (isAssigned(task)) this.#tasks.set(task.id, task);
    }
    this.#base = index;
    this.#index = index;
    const deps = dependenciesOf(tx, this.#tasks.values());
    return { full: true, updated: [...this.#tasks.values()], removed: [], ...deps, index };
  }

  /** Records a created or updated task that is (now) on this node. Returns true if it is to be sent. */
  taskChanged(task: Task, index: number): boolean {
    if (index <= this.#base) return false;
    this.#index = Math.max(this.#index, index);
    if (!isAssigned(task)) return false;
    const known = this.#tasks.get(task.id);
    this.#tasks.set(task.id, task);
    if (known !== undefined && equivalentTask(known, task) && taskStateRank(task.status.state) > ASSIGNED) {
      return false;
    }
    this.#removed.delete(task.id);
    this.#updated.set(task.id, task);
    return true;
  }

  /** Records a task deleted, or moved to another node. Returns true if the agent must hear of it. */
  taskRemoved(taskId: string, index: number): boolean {
    if (index <= this.#base) return false;
    this.#index = Math.max(this.#index, index);
    if (!this.#tasks.delete(taskId)) return false;
    this.#updated.delete(taskId);
    this.#removed.add(taskId);
    return true;
  }

  /** Records a secret or config that changed; sent if a task that needs it is in the set. */
  dependencyChanged(
    object: { kind: 'secrets'; value: Secret } | { kind: 'configs'; value: Config },
  ): boolean {
    if (!references(this.#tasks.values(), object.kind, object.value.id)) return false;
    if (object.kind === 'secrets') this.#secrets.set(object.value.id, object.value);
    else this.#configs.set(object.value.id, object.value);
    return true;
  }

  /** Takes the pending changes as one batch (dependencies of updated tasks looked up in `tx`). */
  take(tx: ReadTx): AssignmentBatch | undefined {
    if (
      this.#updated.size === 0 &&
      this.#removed.size === 0 &&
      this.#secrets.size === 0 &&
      this.#configs.size === 0
    ) {
      return undefined;
    }
    const updated = [...this.#updated.values()];
    const deps = dependenciesOf(tx, updated);
    for (const s of deps.secrets) this.#secrets.set(s.id, s);
    for (const c of deps.configs) this.#configs.set(c.id, c);
    const batch: AssignmentBatch = {
      full: false,
      updated,
      removed: [...this.#removed],
      secrets: [...this.#secrets.values()],
      configs: [...this.#configs.values()],
      index: this.#index,
    };
    this.#clearPending();
    return batch;
  }

  #clearPending(): void {
    this.#updated = new Map();
    this.#removed = new Set();
    this.#secrets = new Map();
    this.#configs = new Map();
  }
}
