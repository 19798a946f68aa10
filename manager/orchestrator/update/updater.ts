// One rolling update (or rollback) of one service towards its current spec, as Swarm runs it:
// the slots on an older spec are replaced `parallelism` at a time; with stop-first the old task
// is stopped before the new one starts (the new one waits in 'ready'), with start-first the old
// one is stopped once the new one runs. After each batch the updater waits `delay`, and after
// the last one it watches the new tasks for `monitor`. New tasks that fail (before running or
// within `monitor` of it) count against `maxFailureRatio`; past it, `failureAction` applies:
// pause, continue, or roll back to the previous spec.

import type { Logger } from 'pino';
import type { Clock } from '../../../api/clock/clock.js';
import { serviceNodeKey, serviceSlotKey } from '../../store/indexes.js';
import type { Service, Task, UpdateConfig } from '../../../api/objects/index.js';
import type { ReadTx } from '../../store/read-tx.js';
import type { MemoryStore } from '../../store/store.js';
import type { WriteTx } from '../../store/write-tx.js';
import type { DelayedStart, RestartSupervisor } from '../restart/restart-supervisor.js';
import { isSlotDirty, nodeSlotsOf, occupants, slotsOf } from '../slots.js';
import { isTaskDirty } from '../../task/spec-key.js';
import { setLongTimeout } from '../../loop/long-timeout.js';
import { isolated, tryUpdate } from '../../loop/store-writes.js';
import { newTask, taskDefaultsOf, withDesiredState } from '../../task/task-factory.js';
import { hasStopped, reached, wantsToRun } from '../../task/task-state.js';
import { Wakeup } from '../../loop/wakeup.js';
import {
  countsAsFailure,
  failureExceeded,
  isRollingBack,
  isUpdateFailure,
  planBatches,
  updateConfigFor,
} from './update-config.js';
import { completeUpdate, pauseUpdate, rollBack, startUpdate } from './update-status.js';

export interface UpdaterOptions {
  readonly store: MemoryStore;
  readonly clock: Clock;
  readonly restarts: RestartSupervisor;
  readonly logger: Logger;
  readonly serviceId: string;
}

/** A replicated slot number, or a node ID for global services. */
type SlotId = number | string;

export class Updater {
  readonly serviceId: string;
  readonly #o: UpdaterOptions;
  readonly #abort = new AbortController();
  readonly #wakeup = new Wakeup();
  /** Tasks this update created or adopted: latest seen state (null once deleted). */
  readonly #tasks = new Map<string, Task | null>();
  readonly #startedAt = new Map<string, number>();
  readonly #failed = new Set<string>();
  #config: UpdateConfig | undefined;
  #total = 0;
  /** The task whose failure tripped the failure action. */
  #tripped: string | undefined;

  constructor(o: UpdaterOptions) {
    this.#o = o;
    this.serviceId = o.serviceId;
  }

  cancel(): void {
    this.#abort.abort();
    this.#wakeup.notify();
  }

  get cancelled(): boolean {
    return this.#abort.signal.aborted;
  }

  /** A task of the service changed (or was deleted). */
  onTask(task: Task, deleted: boolean): void {
    if (!this.#tasks.has(task.id)) return;
    this.#tasks.set(task.id, deleted ? null : task);
    const now = this.#o.clock.now();
    if (!deleted && reached(task, 'running') && !hasStopped(task) && !this.#startedAt.has(task.id)) {
      this.#startedAt.set(task.id, now);
    }
    const config = this.#config;
    if (config !== undefined && !deleted && isUpdateFailure(task) && !this.#failed.has(task.id)) {
      if (countsAsFailure(this.#startedAt.get(task.id), now, config.monitor)) {
        this.#failed.add(task.id);
        if (
          config.failureAction !== 'continue' &&
          failureExceeded(this.#failed.size, this.#total, config.maxFailureRatio)
        ) {
          this.#tripped ??= task.id;
        }
      }
    }
    this.#wakeup.notify();
  }

  async run(): Promise<void> {
    const service = this.#read((tx) => tx.get('services', this.serviceId));
    if (service === undefined) return;
    const state = service.updateStatus?.state;
    if (state === 'paused' || state === 'rollback_paused') return;
    const config = updateConfigFor(service);
    this.#config = config;
    const dirty = this.#read((tx) => this.#dirtySlots(tx, service));
    if (dirty.length === 0) {
      if (state === 'updating' || state === 'rollback_started')
        await this.#writeService((s, now) => completeUpdate(s, now));
      return;
    }
    if (state !== 'updating' && !isRollingBack(service)) {
      if (!(await this.#writeService((s, now) => startUpdate(s, now)))) return;
    }
    this.#total = dirty.length;
    const batches = planBatches(dirty, config.parallelism);
    for (let b = 0; b < batches.length; b++) {
      const waiting = await this.#replace(batches[b]!, config);
      if (waiting === undefined) return;
      await this.#until(() => [...waiting.keys()].every((id) => this.#settled(id)));
      if (this.cancelled) return;
      if (this.#tripped !== undefined) return this.#fail(this.#tripped);
      await this.#stopReplaced(waiting);
      if (b < batches.length - 1 && config.delay > 0) await this.#sleep(config.delay);
      if (this.cancelled) return;
      if (this.#tripped !== undefined) return this.#fail(this.#tripped);
    }
    await this.#sleep(config.monitor);
    if (this.cancelled) return;
    if (this.#tripped !== undefined) return this.#fail(this.#tripped);
    await this.#writeService((s, now) => completeUpdate(s, now));
  }

  #read<T>(fn: (tx: ReadTx) => T): T {
    return this.#o.store.view(fn);
  }

  #isGlobal(service: Service): boolean {
    return service.spec.mode.kind === 'global';
  }

  #dirtySlots(tx: ReadTx, service: Service): SlotId[] {
    const tasks = tx.find('tasks', 'serviceId', service.id);
    const mayRestart = (t: Task): boolean => this.#o.restarts.mayRestart(service, t);
    const out: SlotId[] = [];
    const slots: Map<SlotId, Task[]> = this.#isGlobal(service) ? nodeSlotsOf(tasks) : slotsOf(tasks);
    const replicas = service.spec.mode.kind === 'replicated' ? service.spec.mode.replicas : Infinity;
    for (const [slot, slotTasks] of slots) {
      if (typeof slot === 'number' && slot > replicas) continue;
      const occupied = occupants(service, slotTasks, mayRestart);
      if (occupied !== undefined && isSlotDirty(service, occupied)) out.push(slot);
    }
    return out.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  }

  #slotTasks(tx: ReadTx, service: Service, slot: SlotId): Task[] {
    return typeof slot === 'number'
      ? tx.find('tasks', 'serviceSlot', serviceSlotKey(service.id, slot))
      : tx.find('tasks', 'serviceNode', serviceNodeKey(service.id, slot));
  }

  /**
   * Replaces the dirty slots of a batch in one transaction. Resolves with the tasks to wait for,
   * each with the old tasks to stop once it runs (start-first), or undefined if the service is
   * gone or the write was refused.
   */
  async #replace(batch: readonly SlotId[], config: UpdateConfig): Promise<Map<string, Task[]> | undefined> {
    const waiting = new Map<string, Task[]>();
    const starts: DelayedStart[] = [];
    const now = this.#o.clock.now();
    const iso = new Date(now).toISOString();
    let gone = false;
    const ok = await tryUpdate(this.#o.store, this.#o.logger, 'rolling update', (tx) => {
      waiting.clear();
      starts.length = 0;
      const service = tx.get('services', this.serviceId);
      if (service === undefined) {
        gone = true;
        return;
      }
      const mayRestart = (t: Task): boolean => this.#o.restarts.mayRestart(service, t);
      for (const slot of batch) {
        isolated(tx, this.#o.logger, 'rolling update', { service: this.serviceId, slot }, () => {
          const occupied = occupants(service, this.#slotTasks(tx, service, slot), mayRestart);
          if (occupied === undefined || !isSlotDirty(service, occupied)) return;
          this.#replaceSlot(tx, service, slot, occupied, config, { now, iso, waiting, starts });
        });
      }
    });
    if (!ok || gone) return undefined;
    this.#o.restarts.delayStart(starts);
    return waiting;
  }

  #replaceSlot(
    tx: WriteTx,
    service: Service,
    slot: SlotId,
    occupied: readonly Task[],
    config: UpdateConfig,
    out: { now: number; iso: string; waiting: Map<string, Task[]>; starts: DelayedStart[] },
  ): void {
    const clean =
      occupied.find((t) => !isTaskDirty(service, t) && t.desiredState === 'running') ??
      occupied.find((t) => !isTaskDirty(service, t) && t.desiredState === 'ready');
    const others = occupied.filter((t) => t !== clean);
    const startFirst = config.order === 'start-first';
    let next: Task;
    if (clean !== undefined) {
      next = clean;
    } else {
      const created = newTask(service, {
        slot: typeof slot === 'number' ? slot : 0,
        nodeId: typeof slot === 'string' ? slot : undefined,
        desiredState: startFirst ? 'running' : 'ready',
        now: out.iso,
        taskDefaults: taskDefaultsOf(tx),
      });
      next = tx.create('tasks', created);
    }
    this.#tasks.set(next.id, next);
    if (startFirst) {
      out.waiting.set(next.id, others.filter(wantsToRun));
      if (next.desiredState === 'ready') tx.update('tasks', { ...next, desiredState: 'running' });
      return;
    }
    out.waiting.set(next.id, []);
    const stopping = others.filter(wantsToRun);
    for (const t of stopping) tx.update('tasks', withDesiredState(t, 'shutdown', out.iso));
    if (next.desiredState === 'ready') {
      out.starts.push({
        taskId: next.id,
        notBefore: out.now,
        after: stopping.filter((t) => !hasStopped(t)).map((t) => t.id),
        target: 'running',
      });
    }
  }

  /** Start-first: stops the old tasks of each slot whose new task reached running. */
  async #stopReplaced(waiting: ReadonlyMap<string, Task[]>): Promise<void> {
    const stops: string[] = [];
    for (const [id, olds] of waiting) {
      const t = this.#tasks.get(id);
      if (t !== null && t !== undefined && reached(t, 'running') && !hasStopped(t))
        stops.push(...olds.map((o) => o.id));
    }
    if (stops.length === 0) return;
    const iso = new Date(this.#o.clock.now()).toISOString();
    await tryUpdate(this.#o.store, this.#o.logger, 'rolling update', (tx) => {
      for (const id of stops) {
        const t = tx.get('tasks', id);
        if (t !== undefined && wantsToRun(t)) tx.update('tasks', withDesiredState(t, 'shutdown', iso));
      }
    });
  }

  #settled(taskId: string): boolean {
    const t = this.#tasks.get(taskId);
    return t === null || t === undefined || reached(t, 'running');
  }

  async #until(done: () => boolean): Promise<void> {
    while (!this.cancelled && this.#tripped === undefined && !done()) await this.#wakeup.wait();
  }

  async #sleep(ms: number): Promise<void> {
    if (ms <= 0) return;
    let elapsed = false;
    const cancel = setLongTimeout(
      this.#o.clock,
      () => {
        elapsed = true;
        this.#wakeup.notify();
      },
      ms,
    );
    try {
      await this.#until(() => elapsed);
    } finally {
      cancel();
    }
  }

  async #fail(taskId: string): Promise<void> {
    const action = this.#config?.failureAction ?? 'pause';
    this.#o.logger.info(
      { service: this.serviceId, task: taskId, action },
      'update failure threshold reached',
    );
    await this.#writeService((s, now) =>
      action === 'rollback' && !isRollingBack(s) ? rollBack(s, taskId, now) : pauseUpdate(s, taskId, now),
    );
  }

  async #writeService(change: (service: Service, now: string) => Service): Promise<boolean> {
    if (this.cancelled) return false;
    const now = new Date(this.#o.clock.now()).toISOString();
    return tryUpdate(this.#o.store, this.#o.logger, 'update status', (tx) => {
      const service = tx.get('services', this.serviceId);
      if (service !== undefined) tx.update('services', change(service, now));
    });
  }
}
