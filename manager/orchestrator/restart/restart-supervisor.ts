// Restart supervision, shared by every orchestrator. `restart()` runs inside an orchestrator's
// transaction: it stops the old task and, if the policy allows, creates its replacement in the
// same slot. As in Swarm, a replacement whose start must wait (restart delay, or until the old
// task has stopped) is created with desired state 'ready': it is scheduled and prepared, and
// this loop moves it to 'running' (or 'complete' for jobs) once the clock says so and the old
// task is down. Pending starts survive a leader change: a new leader finds the 'ready' tasks.

import type { Logger } from 'pino';
import type { Cancel, Clock } from '../../../api/clock/clock.js';
import type { ChangeEvent } from '../../store/events.js';
import { serviceNodeKey, serviceSlotKey } from '../../store/indexes.js';
import type { Node, Service, Task, TaskState } from '../../../api/objects/index.js';
import type { ReadTx } from '../../store/read-tx.js';
import type { MemoryStore } from '../../store/store.js';
import type { WriteTx } from '../../store/write-tx.js';
import { lossMessage, type NodeLoss } from '../node-validity.js';
import { updateInBatches } from '../../loop/store-writes.js';
import { newTask, taskDefaultsOf, withDesiredState, withStatus } from '../../task/task-factory.js';
import { hasStopped, wantsToRun } from '../../task/task-state.js';
import { setLongTimeout, saneDelay } from '../../loop/long-timeout.js';
import { WatchLoopBase } from '../../loop/watch-loop-base.js';
import { RestartHistory } from './restart-history.js';
import { restartDelay, shouldRestart } from './restart-policy.js';

/** A replacement waiting to start. */
export interface DelayedStart {
  readonly taskId: string;
  /** Clock time (ms) before which it must not start. */
  readonly notBefore: number;
  /** Tasks that must stop first (stop-first updates, restarts of tasks still running). */
  readonly after: readonly string[];
  /** The desired state it then gets. */
  readonly target: 'running' | 'complete';
}

export interface RestartOptions {
  /** The node was lost (down, drained, removed): replace without delay and without counting. */
  readonly loss?: NodeLoss | undefined;
  /** Where the replacement goes: its slot, and its node for global services. */
  readonly slot: number;
  readonly nodeId?: string | undefined;
  /** False: only stop the old task (e.g. a global task whose node no longer qualifies). */
  readonly replace?: boolean;
}

export interface RestartSupervisorOptions {
  readonly store: MemoryStore;
  readonly clock: Clock;
  readonly logger?: Logger;
}

/** Milliseconds before a refused start is written again. */
const RETRY_MS = 100;

function isJob(service: Service): boolean {
  return service.spec.mode.kind === 'replicatedJob' || service.spec.mode.kind === 'globalJob';
}

export class RestartSupervisor extends WatchLoopBase {
  readonly history = new RestartHistory();
  readonly #o: RestartSupervisorOptions;
  readonly #pending = new Map<string, { start: DelayedStart; waiting: Set<string> }>();
  /** Old task → replacements waiting for it to stop. */
  readonly #blocking = new Map<string, Set<string>>();
  readonly #timers = new Map<string, Cancel>();

  constructor(o: RestartSupervisorOptions) {
    super('restart-supervisor', ['tasks', 'nodes'], o);
    this.#o = o;
  }

  /** Whether a stopped task of `service` would be replaced now (no side effects). */
  mayRestart(service: Service, task: Task): boolean {
    return shouldRestart({
      policy: task.spec.restartPolicy,
      state: task.status.state,
      job: isJob(service),
      restarts: this.history.times(task),
      now: this.#o.clock.now(),
    });
  }

  /**
   * Stops `task` and, if its policy (or the loss of its node) calls for it, creates the
   * replacement. Returns the replacement's delayed start, to hand to `delayStart` once the
   * transaction has committed.
   */
  restart(tx: WriteTx, service: Service, task: Task, o: RestartOptions): DelayedStart | undefined {
    if (!wantsToRun(task)) return undefined;
    // A job task that ran to completion is done: it keeps desired state 'complete'.
    if (task.desiredState === 'complete' && task.status.state === 'complete') return undefined;
    const now = this.#o.clock.now();
    const iso = new Date(now).toISOString();
    let old = withDesiredState(task, 'shutdown', iso);
    if (o.loss === 'down' && !hasStopped(old)) old = withStatus(old, 'orphaned', lossMessage('down'), iso);
    tx.update('tasks', old);
    if (o.replace === false) return undefined;
    if (o.loss === undefined) {
      if (!this.mayRestart(service, task)) return undefined;
      this.history.record(task, now);
    }
    const node = task.nodeId === undefined ? undefined : tx.get('nodes', task.nodeId);
    const delay = restartDelay(task.spec.restartPolicy, node, o.loss !== undefined);
    const waitStop = !hasStopped(old) && o.loss !== 'down' && o.loss !== 'removed';
    const target: 'running' | 'complete' = isJob(service) ? 'complete' : 'running';
    const held = delay > 0 || waitStop;
    const replacement = newTask(service, {
      slot: o.slot,
      nodeId: o.nodeId,
      desiredState: held ? 'ready' : target,
      jobIteration: task.jobIteration,
      now: iso,
      taskDefaults: taskDefaultsOf(tx),
    });
    tx.create('tasks', replacement);
    if (!held) return undefined;
    return { taskId: replacement.id, notBefore: now + delay, after: waitStop ? [task.id] : [], target };
  }

  /** Registers replacements to start once due (call after the transaction that made them committed). */
  delayStart(starts: readonly DelayedStart[]): void {
    if (starts.length === 0) return;
    this.#o.store.view((tx) => {
      for (const start of starts) this.#register(tx, start);
    });
    this.wakeup.notify();
  }

  /** Replacements waiting to start (for tests and metrics). */
  get pendingStarts(): number {
    return this.#pending.size;
  }

  protected override stopped(): Promise<void> {
    for (const cancel of this.#timers.values()) cancel();
    this.#timers.clear();
    return Promise.resolve();
  }

  #register(tx: ReadTx, start: DelayedStart): void {
    const task = tx.get('tasks', start.taskId);
    if (task === undefined || task.desiredState !== 'ready') return;
    const waiting = new Set<string>();
    for (const id of start.after) {
      const old = tx.get('tasks', id);
      if (old === undefined || stoppedOrLost(old, tx)) continue;
      waiting.add(id);
      let set = this.#blocking.get(id);
      if (set === undefined) this.#blocking.set(id, (set = new Set()));
      set.add(start.taskId);
    }
    this.#pending.set(start.taskId, { start, waiting });
    const wait = start.notBefore - this.#o.clock.now();
    if (wait > 0) {
      this.#timers.get(start.taskId)?.();
      this.#timers.set(
        start.taskId,
        setLongTimeout(
          this.#o.clock,
          () => {
            this.#timers.delete(start.taskId);
            this.wakeup.notify();
          },
          wait,
        ),
      );
    }
  }

  /** A new leader: every task still held in 'ready' gets its start back, timed from its creation. */
  protected override init(tx: ReadTx): void {
    for (const task of tx.find('tasks', 'desiredState', 'ready')) {
      if (this.#pending.has(task.id)) continue;
      const key =
        task.slot > 0 || task.nodeId === undefined
          ? serviceSlotKey(task.serviceId, task.slot)
          : serviceNodeKey(task.serviceId, task.nodeId);
      const index = task.slot > 0 || task.nodeId === undefined ? 'serviceSlot' : 'serviceNode';
      const after = tx
        .find('tasks', index, key)
        .filter((t) => t.id !== task.id && !wantsToRun(t) && !hasStopped(t))
        .map((t) => t.id);
      const service = tx.get('services', task.serviceId);
      const target = service !== undefined && isJob(service) ? 'complete' : 'running';
      // A createdAt that does not parse (a hand-made object) counts as now, not as never.
      const created = Date.parse(task.meta.createdAt);
      const notBefore =
        (Number.isNaN(created) ? this.#o.clock.now() : created) + saneDelay(task.spec.restartPolicy.delay);
      this.#register(tx, { taskId: task.id, notBefore, after, target });
    }
  }

  protected override onEvent(e: ChangeEvent): void {
    if (e.table === 'tasks') {
      const task = e.object;
      const entry = this.#pending.get(task.id);
      if (entry !== undefined && (e.action === 'delete' || task.desiredState !== 'ready'))
        this.#drop(task.id);
      if (e.action === 'delete' || hasStopped(task)) this.#unblock(task.id);
    } else if (e.table === 'nodes' && e.action !== 'delete' && e.object.status.state === 'down') {
      this.#unblockNode(e.object);
    } else if (e.table === 'nodes' && e.action === 'delete') {
      this.#unblockNode(e.object);
    }
  }

  #unblockNode(node: Node): void {
    if (this.#blocking.size === 0) return;
    const ids = this.#o.store.view((tx) =>
      [...this.#blocking.keys()].filter((id) => tx.get('tasks', id)?.nodeId === node.id),
    );
    for (const id of ids) this.#unblock(id);
  }

  #unblock(oldId: string): void {
    const waiters = this.#blocking.get(oldId);
    if (waiters === undefined) return;
    this.#blocking.delete(oldId);
    for (const id of waiters) this.#pending.get(id)?.waiting.delete(oldId);
  }

  #drop(taskId: string): void {
    const entry = this.#pending.get(taskId);
    if (entry === undefined) return;
    this.#pending.delete(taskId);
    this.#timers.get(taskId)?.();
    this.#timers.delete(taskId);
    for (const old of entry.waiting) {
      const set = this.#blocking.get(old);
      set?.delete(taskId);
      if (set?.size === 0) this.#blocking.delete(old);
    }
  }

  protected override async flush(): Promise<void> {
    const now = this.#o.clock.now();
    const due: DelayedStart[] = [];
    for (const { start, waiting } of this.#pending.values()) {
      if (waiting.size === 0 && start.notBefore <= now) due.push(start);
    }
    if (due.length === 0) return;
    for (const start of due) this.#drop(start.taskId);
    const failed = await updateInBatches(
      this.#o.store,
      this.log,
      'delayed start',
      due,
      (tx, start) => {
        const task = tx.get('tasks', start.taskId);
        if (task === undefined || task.desiredState !== 'ready') return;
        tx.update('tasks', { ...task, desiredState: start.target satisfies TaskState });
      },
      undefined,
      (start) => ({ task: start.taskId }),
    );
    // Refused (lost leadership, raced): try again a little later.
    if (failed.length > 0)
      this.delayStart(failed.map((s) => ({ ...s, notBefore: now + RETRY_MS, after: [] })));
  }
}

function stoppedOrLost(task: Task, tx: ReadTx): boolean {
  if (hasStopped(task)) return true;
  if (task.nodeId === undefined) return task.desiredState === 'shutdown' || task.desiredState === 'remove';
  const node = tx.get('nodes', task.nodeId);
  return node === undefined || node.status.state === 'down';
}
