// The global orchestrator loop (leader only): one task per eligible node for every global
// service. It follows node joins, drains, pauses, label changes, downs and removals, reconciling
// only the services and nodes that changed; failed tasks are restarted on their node per the
// restart policy.

import { pino, type Logger } from 'pino';
import type { ChangeEvent } from '../../store/events.js';
import { serviceNodeKey } from '../../store/indexes.js';
import type { Service, Task } from '../../store/objects/index.js';
import type { ReadTx } from '../../store/read-tx.js';
import type { WriteTx } from '../../store/write-tx.js';
import type { ControlLoop } from '../control-loop.js';
import type { OrchestratorOptions } from '../orchestrator-options.js';
import type { DelayedStart } from '../restart/restart-supervisor.js';
import { RetryTimer } from '../retry-timer.js';
import { tryUpdate } from '../store-writes.js';
import { newTask } from '../task-factory.js';
import { hasStopped, wantsToRun } from '../task-state.js';
import { Wakeup } from '../wakeup.js';
import { runWatchLoop } from '../watch-loop.js';
import { globalNodeFit } from './node-fit.js';
import { reconcileGlobal, type GlobalPlan } from './reconcile.js';

type Item =
  | { readonly kind: 'service'; readonly id: string }
  | { readonly kind: 'node'; readonly id: string }
  | { readonly kind: 'restart'; readonly id: string };

const ITEMS_PER_TX = 50;

export class GlobalOrchestrator implements ControlLoop {
  readonly name = 'global-orchestrator';
  readonly #o: OrchestratorOptions;
  readonly #log: Logger;
  readonly #wakeup = new Wakeup();
  readonly #retry: RetryTimer;
  /** Every global service (a node change is checked against each). */
  readonly #global = new Set<string>();
  readonly #services = new Set<string>();
  readonly #nodes = new Set<string>();
  readonly #restarts = new Set<string>();

  constructor(o: OrchestratorOptions) {
    this.#o = o;
    this.#log = (o.logger ?? pino({ level: 'silent' })).child({ loop: this.name });
    this.#retry = new RetryTimer(o.clock, this.#wakeup);
  }

  async run(signal: AbortSignal): Promise<void> {
    try {
      await runWatchLoop(
        {
          store: this.#o.store,
          signal,
          watch: { tables: ['services', 'tasks', 'nodes'] },
          wakeup: this.#wakeup,
          logger: this.#log,
        },
        { init: (tx) => this.#init(tx), onEvent: (e) => this.#onEvent(e), flush: () => this.#flush() },
      );
    } finally {
      this.#retry.cancel();
    }
  }

  #init(tx: ReadTx): void {
    this.#global.clear();
    for (const s of tx.list('services')) {
      if (s.spec.mode.kind === 'global') {
        this.#global.add(s.id);
        this.#services.add(s.id);
      }
    }
    for (const t of tx.list('tasks')) if (wantsToRun(t) && hasStopped(t)) this.#restarts.add(t.id);
  }

  #onEvent(e: ChangeEvent): void {
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

  async #flush(): Promise<void> {
    const items: Item[] = [
      ...[...this.#restarts].map((id) => ({ kind: 'restart', id }) as const),
      ...[...this.#services].map((id) => ({ kind: 'service', id }) as const),
      ...[...this.#nodes].map((id) => ({ kind: 'node', id }) as const),
    ];
    this.#restarts.clear();
    this.#services.clear();
    this.#nodes.clear();
    for (let i = 0; i < items.length; i += ITEMS_PER_TX) {
      const chunk = items.slice(i, i + ITEMS_PER_TX);
      const starts: DelayedStart[] = [];
      const updates = new Set<string>();
      const ok = await tryUpdate(this.#o.store, this.#log, 'global reconcile', (tx) => {
        for (const item of chunk) {
          if (item.kind === 'restart') this.#restart(tx, item.id, starts);
          else if (item.kind === 'service') this.#reconcileService(tx, item.id, updates);
          else for (const id of this.#global) this.#reconcileNode(tx, id, item.id, updates);
        }
      });
      if (ok) {
        this.#o.restarts.delayStart(starts);
        for (const id of updates) this.#o.updates.update(id);
      } else {
        for (const item of chunk) {
          if (item.kind === 'restart') this.#restarts.add(item.id);
          else if (item.kind === 'service') this.#services.add(item.id);
          else this.#nodes.add(item.id);
        }
        this.#retry.schedule();
      }
    }
  }

  #restart(tx: WriteTx, taskId: string, starts: DelayedStart[]): void {
    const task = tx.get('tasks', taskId);
    if (task === undefined || !wantsToRun(task) || !hasStopped(task)) return;
    const service = tx.get('services', task.serviceId);
    if (service === undefined || service.spec.mode.kind !== 'global') return;
    const node = task.nodeId === undefined ? undefined : tx.get('nodes', task.nodeId);
    const fit = globalNodeFit(service, node);
    const start = this.#o.restarts.restart(tx, service, task, {
      slot: 0,
      nodeId: task.nodeId,
      replace: fit === 'run',
    });
    if (start !== undefined) starts.push(start);
  }

  #reconcileService(tx: WriteTx, serviceId: string, updates: Set<string>): void {
    const service = tx.get('services', serviceId);
    if (service === undefined || service.spec.mode.kind !== 'global') return;
    const plan = reconcileGlobal({
      service,
      nodes: tx.list('nodes'),
      tasks: tx.find('tasks', 'serviceId', serviceId),
      mayRestart: (t) => this.#o.restarts.mayRestart(service, t),
    });
    this.#apply(tx, service, plan, updates);
  }

  #reconcileNode(tx: WriteTx, serviceId: string, nodeId: string, updates: Set<string>): void {
    const service = tx.get('services', serviceId);
    if (service === undefined || service.spec.mode.kind !== 'global') return;
    const node = tx.get('nodes', nodeId);
    const plan = reconcileGlobal({
      service,
      nodes: node === undefined ? [] : [node],
      tasks: tx.find('tasks', 'serviceNode', serviceNodeKey(serviceId, nodeId)),
      mayRestart: (t) => this.#o.restarts.mayRestart(service, t),
    });
    this.#apply(tx, service, plan, updates);
  }

  #apply(tx: WriteTx, service: Service, plan: GlobalPlan, updates: Set<string>): void {
    const now = new Date(this.#o.clock.now()).toISOString();
    for (const nodeId of plan.create) {
      tx.create('tasks', newTask(service, { slot: 0, nodeId, desiredState: 'running', now }));
    }
    for (const { task, fit } of plan.stop) {
      const current: Task | undefined = tx.get('tasks', task.id);
      if (current === undefined) continue;
      const loss = fit === 'constraints' ? undefined : fit;
      this.#o.restarts.restart(tx, service, current, { slot: 0, loss, replace: false });
    }
    if (plan.update) updates.add(service.id);
  }
}
