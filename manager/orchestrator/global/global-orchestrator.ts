// The global orchestrator loop (leader only): one task per eligible node for every global
// service. It follows node joins, drains, pauses, label changes, downs and removals, reconciling
// only the services and nodes that changed; failed tasks are restarted on their node per the
// restart policy.

import type { ChangeEvent } from '../../store/events.js';
import { serviceNodeKey } from '../../store/indexes.js';
import type { Service, Task } from '../../../api/objects/index.js';
import type { ReadTx } from '../../store/read-tx.js';
import type { WriteTx } from '../../store/write-tx.js';
import type { OrchestratorOptions } from '../orchestrator-options.js';
import type { DelayedStart } from '../restart/restart-supervisor.js';
import { writeEach } from '../../loop/store-writes.js';
import { newTask, taskDefaultsOf } from '../../task/task-factory.js';
import { hasStopped, wantsToRun } from '../../task/task-state.js';
import { WatchLoopBase } from '../../loop/watch-loop-base.js';
import { globalNodeFit } from './node-fit.js';
import { reconcileGlobal, type GlobalPlan } from './reconcile.js';

type Item =
  | { readonly kind: 'service'; readonly id: string }
  | { readonly kind: 'node'; readonly id: string }
  | { readonly kind: 'restart'; readonly id: string };

const ITEMS_PER_TX = 50;

/** One unit of a pass: a node item is split into one unit per global service. */
type Unit =
  | { readonly kind: 'restart'; readonly id: string }
  | { readonly kind: 'service'; readonly id: string }
  | { readonly kind: 'node'; readonly id: string; readonly serviceId: string };

/** What handling one unit did, acted on once its transaction committed. */
interface Done {
  readonly start?: DelayedStart | undefined;
  readonly update?: boolean;
}

export class GlobalOrchestrator extends WatchLoopBase {
  readonly #o: OrchestratorOptions;
  /** Every global service (a node change is checked against each). */
  readonly #global = new Set<string>();
  readonly #services = new Set<string>();
  readonly #nodes = new Set<string>();
  readonly #restarts = new Set<string>();

  constructor(o: OrchestratorOptions) {
    super('global-orchestrator', ['services', 'tasks', 'nodes'], o);
    this.#o = o;
  }

  protected override init(tx: ReadTx): void {
    this.#global.clear();
    for (const s of tx.list('services')) {
      if (s.spec.mode.kind === 'global') {
        this.#global.add(s.id);
        this.#services.add(s.id);
      }
    }
    for (const t of tx.list('tasks')) if (wantsToRun(t) && hasStopped(t)) this.#restarts.add(t.id);
  }

  protected override onEvent(e: ChangeEvent): void {
    switch (e.table) {
      case 'services':
        if (e.action === 'delete') {
          this.#global.delete(e.object.id);
        } else if (e.object.spec.mode.kind === 'global') {
          this.#global.add(e.object.id);
          this.#services.add(e.object.id);
        }
        return;
      case 'tasks':
        if (!this.#global.has(e.object.serviceId)) return;
        if (e.action === 'delete') {
          if (wantsToRun(e.object)) this.#services.add(e.object.serviceId);
        } else if (wantsToRun(e.object) && hasStopped(e.object)) {
          this.#restarts.add(e.object.id);
        }
        return;
      case 'nodes':
        if (this.#global.size > 0) this.#nodes.add(e.object.id);
        return;
      default:
        return;
    }
  }

  protected override async flush(): Promise<void> {
    const items: Item[] = [
      ...[...this.#restarts].map((id) => ({ kind: 'restart', id }) as const),
      ...[...this.#services].map((id) => ({ kind: 'service', id }) as const),
      ...[...this.#nodes].map((id) => ({ kind: 'node', id }) as const),
    ];
    this.#restarts.clear();
    this.#services.clear();
    this.#nodes.clear();
    // One unit of work per (node, global service): a service that fails on a node is skipped
    // there alone.
    const units: Unit[] = [];
    for (const item of items) {
      if (item.kind === 'restart' || item.kind === 'service') units.push(item);
      else for (const serviceId of this.#global) units.push({ kind: 'node', id: item.id, serviceId });
    }
    const { committed, refused } = await writeEach(
      this.#o.store,
      this.log,
      'global reconcile',
      units,
      (tx, unit): Done => {
        if (unit.kind === 'restart') return { start: this.#restart(tx, unit.id) };
        if (unit.kind === 'service') return { update: this.#reconcileService(tx, unit.id) };
        return { update: this.#reconcileNode(tx, unit.serviceId, unit.id) };
      },
      {
        perTx: ITEMS_PER_TX,
        describe: (unit) =>
          unit.kind === 'restart'
            ? { task: unit.id }
            : unit.kind === 'service'
              ? { service: unit.id }
              : { service: unit.serviceId, node: unit.id },
      },
    );
    const starts: DelayedStart[] = [];
    const updates = new Set<string>();
    for (const { item: unit, result } of committed) {
      if (result.start !== undefined) starts.push(result.start);
      if (result.update === true) updates.add(unit.kind === 'node' ? unit.serviceId : unit.id);
    }
    this.#o.restarts.delayStart(starts);
    for (const id of updates) this.#o.updates.update(id);
    for (const unit of refused) {
      if (unit.kind === 'restart') this.#restarts.add(unit.id);
      else if (unit.kind === 'service') this.#services.add(unit.id);
      else this.#nodes.add(unit.id);
    }
    if (refused.length > 0) this.retry.schedule();
  }

  #restart(tx: WriteTx, taskId: string): DelayedStart | undefined {
    const task = tx.get('tasks', taskId);
    if (task === undefined || !wantsToRun(task) || !hasStopped(task)) return undefined;
    const service = tx.get('services', task.serviceId);
    if (service === undefined || service.spec.mode.kind !== 'global') return undefined;
    const node = task.nodeId === undefined ? undefined : tx.get('nodes', task.nodeId);
    const fit = globalNodeFit(service, node);
    return this.#o.restarts.restart(tx, service, task, {
      slot: 0,
      nodeId: task.nodeId,
      replace: fit === 'run',
    });
  }

  /** Reconciles one global service on every node; true when it has work for the updater. */
  #reconcileService(tx: WriteTx, serviceId: string): boolean {
    const service = tx.get('services', serviceId);
    if (service === undefined || service.spec.mode.kind !== 'global') return false;
    const plan = reconcileGlobal({
      service,
      nodes: tx.list('nodes'),
      tasks: tx.find('tasks', 'serviceId', serviceId),
      mayRestart: (t) => this.#o.restarts.mayRestart(service, t),
    });
    return this.#apply(tx, service, plan);
  }

  /** Reconciles one global service on one node; true when it has work for the updater. */
  #reconcileNode(tx: WriteTx, serviceId: string, nodeId: string): boolean {
    const service = tx.get('services', serviceId);
    if (service === undefined || service.spec.mode.kind !== 'global') return false;
    const node = tx.get('nodes', nodeId);
    const plan = reconcileGlobal({
      service,
      nodes: node === undefined ? [] : [node],
      tasks: tx.find('tasks', 'serviceNode', serviceNodeKey(serviceId, nodeId)),
      mayRestart: (t) => this.#o.restarts.mayRestart(service, t),
    });
    return this.#apply(tx, service, plan);
  }

  #apply(tx: WriteTx, service: Service, plan: GlobalPlan): boolean {
    const now = new Date(this.#o.clock.now()).toISOString();
    for (const nodeId of plan.create) {
      tx.create(
        'tasks',
        newTask(service, { slot: 0, nodeId, desiredState: 'running', now, taskDefaults: taskDefaultsOf(tx) }),
      );
    }
    for (const { task, fit } of plan.stop) {
      const current: Task | undefined = tx.get('tasks', task.id);
      if (current === undefined) continue;
      const loss = fit === 'constraints' ? undefined : fit;
      this.#o.restarts.restart(tx, service, current, { slot: 0, loss, replace: false });
    }
    return plan.update;
  }
}
