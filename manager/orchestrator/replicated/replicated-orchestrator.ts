// The replicated orchestrator loop (leader only): keeps one task per slot for every replicated
// service. It notes from store events which services changed, which tasks stopped while they
// should run, and which nodes were lost (down, drained, removed), and on each pass reconciles
// only those, in batched transactions: scaling with the pure `reconcileReplicated`, failed
// tasks through the restart supervisor, tasks of lost nodes replaced elsewhere at once.

import type { ChangeEvent } from '../../store/events.js';
import type { Task } from '../../../api/objects/index.js';
import type { ReadTx } from '../../store/read-tx.js';
import type { WriteTx } from '../../store/write-tx.js';
import { nodeLoss, type NodeLoss } from '../node-validity.js';
import type { OrchestratorOptions } from '../orchestrator-options.js';
import type { DelayedStart } from '../restart/restart-supervisor.js';
import { writeEach } from '../../loop/store-writes.js';
import { newTask, taskDefaultsOf, withDesiredState } from '../../task/task-factory.js';
import { hasStopped, wantsToRun } from '../../task/task-state.js';
import { WatchLoopBase } from '../../loop/watch-loop-base.js';
import { reconcileReplicated } from './reconcile.js';

type Item =
  | { readonly kind: 'service'; readonly id: string }
  | { readonly kind: 'restart'; readonly id: string; readonly loss?: NodeLoss };

/** What handling one item did, acted on once its transaction committed. */
interface Done {
  readonly start?: DelayedStart | undefined;
  readonly update?: boolean;
  readonly more?: boolean;
}

/** Items (services or task restarts) handled per transaction. */
const ITEMS_PER_TX = 100;

export class ReplicatedOrchestrator extends WatchLoopBase {
  readonly #o: OrchestratorOptions;
  readonly #services = new Set<string>();
  readonly #restarts = new Set<string>();
  readonly #lostNodes = new Map<string, NodeLoss>();

  constructor(o: OrchestratorOptions) {
    super('replicated-orchestrator', ['services', 'tasks', 'nodes'], o);
    this.#o = o;
  }

  protected override init(tx: ReadTx): void {
    for (const s of tx.list('services')) if (s.spec.mode.kind === 'replicated') this.#services.add(s.id);
    for (const t of tx.list('tasks')) if (wantsToRun(t) && hasStopped(t)) this.#restarts.add(t.id);
    for (const n of tx.list('nodes')) {
      const loss = nodeLoss(n);
      if (loss !== undefined) this.#lostNodes.set(n.id, loss);
    }
  }

  protected override onEvent(e: ChangeEvent): void {
    switch (e.table) {
      case 'services':
        if (e.action === 'delete') this.#o.restarts.history.forgetService(e.object.id);
        else if (e.object.spec.mode.kind === 'replicated') this.#services.add(e.object.id);
        return;
      case 'tasks':
        if (e.action === 'delete') {
          if (wantsToRun(e.object)) this.#services.add(e.object.serviceId);
        } else if (wantsToRun(e.object) && hasStopped(e.object)) {
          this.#restarts.add(e.object.id);
        }
        return;
      case 'nodes': {
        const loss = e.action === 'delete' ? 'removed' : nodeLoss(e.object);
        const before = e.action === 'update' ? nodeLoss(e.oldObject) : undefined;
        if (loss !== undefined && loss !== before) this.#lostNodes.set(e.object.id, loss);
        return;
      }
      default:
        return;
    }
  }

  protected override async flush(): Promise<void> {
    const items: Item[] = [];
    if (this.#lostNodes.size > 0) {
      const lost = [...this.#lostNodes];
      this.#lostNodes.clear();
      this.#o.store.view((tx) => {
        for (const [nodeId, loss] of lost) {
          for (const t of tx.find('tasks', 'nodeId', nodeId)) {
            if (wantsToRun(t)) items.push({ kind: 'restart', id: t.id, loss });
          }
        }
      });
    }
    for (const id of this.#restarts) items.push({ kind: 'restart', id });
    this.#restarts.clear();
    for (const id of this.#services) items.push({ kind: 'service', id });
    this.#services.clear();
    const { committed, refused } = await writeEach(
      this.#o.store,
      this.log,
      'replicated reconcile',
      items,
      (tx, item): Done =>
        item.kind === 'restart'
          ? { start: this.#restart(tx, item.id, item.loss) }
          : this.#reconcile(tx, item.id),
      {
        perTx: ITEMS_PER_TX,
        describe: (item) => ({ [item.kind === 'service' ? 'service' : 'task']: item.id }),
      },
    );
    const starts: DelayedStart[] = [];
    let more = false;
    for (const { item, result } of committed) {
      if (result.start !== undefined) starts.push(result.start);
      if (result.update === true) this.#o.updates.update(item.id);
      if (result.more === true) {
        // Cut at the per-pass limit: the rest on the next pass, after the other work.
        this.#services.add(item.id);
        more = true;
      }
    }
    this.#o.restarts.delayStart(starts);
    for (const item of refused) {
      if (item.kind === 'service') this.#services.add(item.id);
      else if (item.loss === undefined) this.#restarts.add(item.id);
      else this.#retryLoss(item.id, item.loss);
    }
    if (refused.length > 0) this.retry.schedule();
    else if (more) this.wakeup.notify();
  }

  #retryLoss(taskId: string, loss: NodeLoss): void {
    const nodeId = this.#o.store.view((tx) => tx.get('tasks', taskId)?.nodeId);
    if (nodeId !== undefined) this.#lostNodes.set(nodeId, loss);
  }

  #restart(tx: WriteTx, taskId: string, loss: NodeLoss | undefined): DelayedStart | undefined {
    const task: Task | undefined = tx.get('tasks', taskId);
    if (task === undefined || !wantsToRun(task)) return undefined;
    const service = tx.get('services', task.serviceId);
    if (service === undefined || service.spec.mode.kind !== 'replicated') return undefined;
    let why = loss;
    if (why !== undefined) {
      why = nodeLoss(task.nodeId === undefined ? undefined : tx.get('nodes', task.nodeId));
      if (task.nodeId === undefined || why === undefined) return undefined;
    } else if (!hasStopped(task)) {
      return undefined;
    }
    return this.#o.restarts.restart(tx, service, task, { loss: why, slot: task.slot });
  }

  /** Reconciles one service (a bounded batch of it): whether the updater and a next pass are needed. */
  #reconcile(tx: WriteTx, serviceId: string): Done {
    const service = tx.get('services', serviceId);
    if (service === undefined || service.spec.mode.kind !== 'replicated') return {};
    const tasks = tx.find('tasks', 'serviceId', serviceId);
    const plan = reconcileReplicated({
      service,
      tasks,
      mayRestart: (t) => this.#o.restarts.mayRestart(service, t),
    });
    const now = new Date(this.#o.clock.now()).toISOString();
    for (const slot of plan.create)
      tx.create(
        'tasks',
        newTask(service, { slot, desiredState: 'running', now, taskDefaults: taskDefaultsOf(tx) }),
      );
    for (const t of plan.remove) tx.update('tasks', withDesiredState(t, 'remove', now));
    return { update: plan.update, more: plan.more };
  }
}
