// The scheduler loop (leader only): keeps every node's load in memory from store events, and
// after each batch of events places the tasks waiting for a node with the pure `schedule`,
// writing the outcome in batched transactions: assigned tasks get their node and state
// 'assigned'; a task that fits nowhere stays 'pending' with Docker's reason in `status.err`
// and is tried again when nodes change or a task frees its node's resources.

import type { Logger } from 'pino';
import { writeEach, MAX_WRITES_PER_TX } from '../loop/store-writes.js';
import { withStatus } from '../task/task-factory.js';
import { wantsToRun } from '../task/task-state.js';
import { WatchLoopBase } from '../loop/watch-loop-base.js';
import type { Clock } from '../../api/clock/clock.js';
import type { ChangeEvent } from '../store/events.js';
import {
  isAttachmentTask,
  type Service,
  type Task,
  type TaskState,
  type TaskStatus,
} from '../../api/objects/index.js';
import type { ReadTx } from '../store/read-tx.js';
import type { MemoryStore } from '../store/store.js';
import { holdsResources, NodeInfo } from './node-info.js';
import { Pipeline } from './pipeline.js';
import { schedule, type PlacementDecision } from './schedule.js';
import { hostPortsOf } from './task-requirements.js';

export interface SchedulerOptions {
  readonly store: MemoryStore;
  readonly clock: Clock;
  readonly logger?: Logger;
  /**
   * Task states the scheduler picks up. Default: 'new' and 'pending'. With an allocator that
   * moves tasks from 'new' to 'pending' once their networks are allocated, pass ['pending'].
   */
  readonly schedulableStates?: readonly TaskState[];
  /** Tasks written per transaction. */
  readonly batchSize?: number;
  /** Milliseconds before tasks whose write was refused are tried again. */
  readonly retryDelay?: number;
  /** Counts committed placements (the placements metric); once per batch, not per task. */
  readonly placements?: { inc(n: number): void };
}

export const ASSIGNED_MESSAGE = 'scheduler assigned task to node';
export const PENDING_MESSAGE = 'pending task scheduling';

/** The task placed on `nodeId`: withStatus(task, 'assigned', ...) with its node, in one copy. */
function assigned(task: Task, nodeId: string, now: string): Task {
  const status: TaskStatus = { ...task.status, state: 'assigned', message: ASSIGNED_MESSAGE, timestamp: now };
  if (status.err !== undefined) delete status.err;
  return { ...task, nodeId, status };
}

export class Scheduler extends WatchLoopBase {
  readonly #o: SchedulerOptions;
  readonly #states: ReadonlySet<TaskState>;
  readonly #pipeline = new Pipeline();
  readonly #nodes = new Map<string, NodeInfo>();
  readonly #services = new Map<string, Service>();
  /** Task → node it is recorded on. */
  readonly #placed = new Map<string, string>();
  readonly #unassigned = new Map<string, Task>();
  readonly #unschedulable = new Map<string, Task>();
  #retryUnschedulable = false;

  constructor(o: SchedulerOptions) {
    super('scheduler', ['nodes', 'tasks', 'services'], o);
    this.#o = o;
    this.#states = new Set(o.schedulableStates ?? ['new', 'pending']);
  }

  /** Tasks waiting for a node that fits (for tests and metrics). */
  get unschedulableCount(): number {
    return this.#unschedulable.size;
  }

  #schedulable(task: Task): boolean {
    // A network attachment belongs to its container's node: the allocator sends it there.
    return this.#states.has(task.status.state) && wantsToRun(task) && !isAttachmentTask(task);
  }

  protected override init(tx: ReadTx): void {
    this.#nodes.clear();
    this.#services.clear();
    this.#placed.clear();
    this.#unassigned.clear();
    this.#unschedulable.clear();
    for (const node of tx.list('nodes')) this.#nodes.set(node.id, new NodeInfo(node));
    for (const service of tx.list('services')) this.#services.set(service.id, service);
    for (const task of tx.list('tasks')) this.#track(task);
  }

  protected override onEvent(e: ChangeEvent): void {
    switch (e.table) {
      case 'tasks':
        if (e.action === 'delete') this.#untrack(e.object.id);
        else this.#track(e.object);
        return;
      case 'nodes': {
        if (e.action === 'delete') this.#nodes.delete(e.object.id);
        else {
          const info = this.#nodes.get(e.object.id);
          if (info === undefined) this.#nodes.set(e.object.id, new NodeInfo(e.object));
          else info.node = e.object;
        }
        this.#retryUnschedulable = true;
        return;
      }
      case 'services':
        if (e.action === 'delete') this.#services.delete(e.object.id);
        else this.#services.set(e.object.id, e.object);
        return;
      default:
        return;
    }
  }

  #track(task: Task): void {
    if (holdsResources(task)) {
      const info = this.#nodes.get(task.nodeId!);
      const was = this.#placed.get(task.id);
      if (was !== undefined && was !== task.nodeId) this.#nodes.get(was)?.removeTask(task.id);
      if (info !== undefined) {
        info.addTask(task, hostPortsOf(this.#services.get(task.serviceId)));
        this.#placed.set(task.id, info.id);
      }
    } else if (this.#unplace(task.id)) {
      this.#retryUnschedulable = true;
    }
    if (this.#schedulable(task)) {
      if (this.#unschedulable.has(task.id)) this.#unschedulable.set(task.id, task);
      else this.#unassigned.set(task.id, task);
    } else {
      this.#unassigned.delete(task.id);
      this.#unschedulable.delete(task.id);
    }
  }

  #untrack(taskId: string): void {
    if (this.#unplace(taskId)) this.#retryUnschedulable = true;
    this.#unassigned.delete(taskId);
    this.#unschedulable.delete(taskId);
  }

  #unplace(taskId: string): boolean {
    const nodeId = this.#placed.get(taskId);
    if (nodeId === undefined) return false;
    this.#placed.delete(taskId);
    this.#nodes.get(nodeId)?.removeTask(taskId);
    return true;
  }

  protected override async flush(): Promise<void> {
    if (this.#retryUnschedulable) {
      this.#retryUnschedulable = false;
      for (const [id, task] of this.#unschedulable) this.#unassigned.set(id, task);
      this.#unschedulable.clear();
    }
    if (this.#unassigned.size === 0) return;
    const tasks = [...this.#unassigned.values()];
    this.#unassigned.clear();
    const decisions = schedule(
      { nodes: this.#nodes, services: this.#services, pipeline: this.#pipeline },
      tasks,
    );
    const byId = new Map(tasks.map((t) => [t.id, t]));
    const writes: PlacementDecision[] = [];
    for (const d of decisions) {
      const task = byId.get(d.taskId)!;
      if ('nodeId' in d) {
        this.#placed.set(task.id, d.nodeId);
        writes.push(d);
      } else {
        if (d.failure !== undefined) {
          this.log.error(
            { task: task.id, service: task.serviceId, err: d.failure },
            'placing this task failed; it waits, the others are placed',
          );
        }
        this.#unschedulable.set(task.id, task);
        if (task.status.state !== 'pending' || task.status.err !== d.err) writes.push(d);
      }
    }
    const now = new Date(this.#o.clock.now()).toISOString();
    const { committed, refused: failed } = await writeEach(
      this.#o.store,
      this.log,
      'scheduling',
      writes,
      (tx, d): boolean | undefined => {
        const original = byId.get(d.taskId)!;
        const current = tx.get('tasks', d.taskId);
        if (current === undefined || !this.#schedulable(current) || current.nodeId !== original.nodeId) {
          if ('nodeId' in d) this.#unplace(d.taskId);
          return undefined;
        }
        if ('nodeId' in d) {
          tx.update('tasks', assigned(current, d.nodeId, now));
          return true;
        }
        tx.update('tasks', withStatus(current, 'pending', PENDING_MESSAGE, now, d.err));
        return false;
      },
      {
        perTx: this.#o.batchSize ?? MAX_WRITES_PER_TX,
        writesPerTx: Number.MAX_SAFE_INTEGER,
        describe: (d) => ({ task: d.taskId }),
      },
    );
    let placed = 0;
    for (const c of committed) if (c.result) placed++;
    if (placed > 0) this.#o.placements?.inc(placed);
    if (failed.length === 0) return;
    for (const d of failed) {
      if ('nodeId' in d) this.#unplace(d.taskId);
      this.#unschedulable.delete(d.taskId);
      this.#unassigned.set(d.taskId, byId.get(d.taskId)!);
    }
    this.retry.schedule();
  }
}
