// The jobs orchestrator loop (leader only): replicated jobs (run until totalCompletions tasks
// completed, maxConcurrent at a time) and global jobs (run once on every eligible node). Job
// tasks have desired state 'complete'; a completed task is never restarted, a failed one is
// replaced per its restart policy; a new `jobIteration` starts the job over.

import type { ChangeEvent } from '../../store/events.js';
import type { Service, Task } from '../../../api/objects/index.js';
import type { ReadTx } from '../../store/read-tx.js';
import type { WriteTx } from '../../store/write-tx.js';
import { globalNodeFit } from '../global/node-fit.js';
import { nodeLoss, type NodeLoss } from '../node-validity.js';
import type { OrchestratorOptions } from '../orchestrator-options.js';
import type { DelayedStart } from '../restart/restart-supervisor.js';
import { writeEach } from '../../loop/store-writes.js';
import { newTask, taskDefaultsOf } from '../../task/task-factory.js';
import { hasStopped, wantsToRun } from '../../task/task-state.js';
import { WatchLoopBase } from '../../loop/watch-loop-base.js';
import { reconcileGlobalJob } from './reconcile-global-job.js';
import { reconcileReplicatedJob } from './reconcile-replicated-job.js';

interface Item {
  readonly kind: 'service' | 'restart' | 'lost';
  readonly id: string;
}

const ITEMS_PER_TX = 50;

/** What handling one item did, acted on once its transaction committed. */
interface Done {
  readonly start?: DelayedStart | undefined;
  readonly more?: boolean;
}

function isJob(service: Service): boolean {
  return service.spec.mode.kind === 'replicatedJob' || service.spec.mode.kind === 'globalJob';
}

export class JobOrchestrator extends WatchLoopBase {
  readonly #o: OrchestratorOptions;
  /** Every job service, by ID, with its mode kind. */
  readonly #jobs = new Map<string, 'replicatedJob' | 'globalJob'>();
  readonly #services = new Set<string>();
  readonly #restarts = new Set<string>();
  /** Tasks of replicated jobs on lost nodes, to replace elsewhere. */
  readonly #lost = new Set<string>();

  constructor(o: OrchestratorOptions) {
    super('job-orchestrator', ['services', 'tasks', 'nodes'], o);
    this.#o = o;
  }

  #track(service: Service): void {
    const kind = service.spec.mode.kind;
    if (kind === 'replicatedJob' || kind === 'globalJob') {
      this.#jobs.set(service.id, kind);
      this.#services.add(service.id);
    } else {
      this.#jobs.delete(service.id);
    }
  }

  protected override init(tx: ReadTx): void {
    this.#jobs.clear();
    for (const s of tx.list('services')) this.#track(s);
    for (const t of tx.list('tasks')) {
      if (this.#jobs.has(t.serviceId) && wantsToRun(t) && hasStopped(t)) this.#restarts.add(t.id);
    }
  }

  protected override onEvent(e: ChangeEvent): void {
    switch (e.table) {
      case 'services':
        if (e.action === 'delete') this.#jobs.delete(e.object.id);
        else this.#track(e.object);
        return;
      case 'tasks':
        if (!this.#jobs.has(e.object.serviceId)) return;
        if (e.action === 'delete' || (wantsToRun(e.object) && hasStopped(e.object))) {
          this.#services.add(e.object.serviceId);
          if (e.action !== 'delete') this.#restarts.add(e.object.id);
        } else if (e.action === 'update' && e.object.status.state === 'complete') {
          this.#services.add(e.object.serviceId);
        }
        return;
      case 'nodes': {
        const loss: NodeLoss | undefined = e.action === 'delete' ? 'removed' : nodeLoss(e.object);
        for (const [id, kind] of this.#jobs) if (kind === 'globalJob') this.#services.add(id);
        if (loss !== undefined) {
          const nodeId = e.object.id;
          this.#o.store.view((tx) => {
            for (const t of tx.find('tasks', 'nodeId', nodeId)) {
              if (this.#jobs.get(t.serviceId) === 'replicatedJob' && wantsToRun(t)) this.#lost.add(t.id);
            }
          });
        }
        return;
      }
      default:
        return;
    }
  }

  protected override async flush(): Promise<void> {
    const items: Item[] = [
      ...[...this.#lost].map((id) => ({ kind: 'lost', id }) as const),
      ...[...this.#restarts].map((id) => ({ kind: 'restart', id }) as const),
      ...[...this.#services].map((id) => ({ kind: 'service', id }) as const),
    ];
    this.#lost.clear();
    this.#restarts.clear();
    this.#services.clear();
    const { committed, refused } = await writeEach(
      this.#o.store,
      this.log,
      'job reconcile',
      items,
      (tx, item): Done =>
        item.kind === 'service'
          ? { more: this.#reconcile(tx, item.id) }
          : { start: this.#restart(tx, item.id, item.kind === 'lost') },
      {
        perTx: ITEMS_PER_TX,
        describe: (item) => ({ [item.kind === 'service' ? 'service' : 'task']: item.id }),
      },
    );
    const starts: DelayedStart[] = [];
    let more = false;
    for (const { item, result } of committed) {
      if (result.start !== undefined) starts.push(result.start);
      if (result.more === true) {
        this.#services.add(item.id);
        more = true;
      }
    }
    this.#o.restarts.delayStart(starts);
    for (const item of refused) {
      if (item.kind === 'service') this.#services.add(item.id);
      else if (item.kind === 'restart') this.#restarts.add(item.id);
      else this.#lost.add(item.id);
    }
    if (refused.length > 0) this.retry.schedule();
    else if (more) this.wakeup.notify();
  }

  #restart(tx: WriteTx, taskId: string, lost: boolean): DelayedStart | undefined {
    const task = tx.get('tasks', taskId);
    if (task === undefined || !wantsToRun(task)) return undefined;
    const service = tx.get('services', task.serviceId);
    if (service === undefined || !isJob(service)) return undefined;
    const node = task.nodeId === undefined ? undefined : tx.get('nodes', task.nodeId);
    let start: DelayedStart | undefined;
    if (service.spec.mode.kind === 'replicatedJob') {
      const loss = lost ? nodeLoss(node) : undefined;
      if (lost ? loss === undefined : !hasStopped(task)) return undefined;
      start = this.#o.restarts.restart(tx, service, task, { loss, slot: task.slot });
    } else {
      if (!hasStopped(task)) return undefined;
      const replace = globalNodeFit(service, node) === 'run';
      start = this.#o.restarts.restart(tx, service, task, { slot: 0, nodeId: task.nodeId, replace });
    }
    return start;
  }

  /** Reconciles one job (a bounded batch of it); true when a next pass has more to create. */
  #reconcile(tx: WriteTx, serviceId: string): boolean {
    const service = tx.get('services', serviceId);
    if (service === undefined || !isJob(service)) return false;
    const tasks = tx.find('tasks', 'serviceId', serviceId);
    const mayRestart = (t: Task): boolean => this.#o.restarts.mayRestart(service, t);
    const now = new Date(this.#o.clock.now()).toISOString();
    if (service.spec.mode.kind === 'replicatedJob') {
      const plan = reconcileReplicatedJob({ service, tasks, mayRestart });
      for (const task of plan.stop)
        this.#o.restarts.restart(tx, service, task, { slot: task.slot, replace: false });
      for (const slot of plan.create) {
        tx.create(
          'tasks',
          newTask(service, {
            slot,
            desiredState: 'complete',
            jobIteration: plan.iteration,
            now,
            taskDefaults: taskDefaultsOf(tx),
          }),
        );
      }
      return plan.more;
    }
    const plan = reconcileGlobalJob({ service, nodes: tx.list('nodes'), tasks, mayRestart });
    for (const { task, fit } of plan.stop) {
      const loss = fit === 'down' || fit === 'drain' || fit === 'removed' ? fit : undefined;
      this.#o.restarts.restart(tx, service, task, { slot: 0, loss, replace: false });
    }
    for (const nodeId of plan.create) {
      tx.create(
        'tasks',
        newTask(service, {
          slot: 0,
          nodeId,
          desiredState: 'complete',
          jobIteration: plan.iteration,
          now,
          taskDefaults: taskDefaultsOf(tx),
        }),
      );
    }
    return false;
  }
}
