// The task reaper loop (leader only): keeps the task table from growing without bound. Per slot
// (per node for global services) it keeps at most the cluster's `taskHistoryRetentionLimit`
// tasks (Docker's default 5); it deletes tasks being removed (scale-down, deleted services)
// once they have stopped, and asks the tasks of a deleted service to stop first. Only the slots
// and tasks that changed are looked at.

import type { Logger } from 'pino';
import type { Clock } from '../../../api/clock/clock.js';
import type { ChangeEvent } from '../../store/events.js';
import { serviceNodeKey, serviceSlotKey } from '../../store/indexes.js';
import type { Task } from '../../../api/objects/index.js';
import type { ReadTx } from '../../store/read-tx.js';
import type { MemoryStore } from '../../store/store.js';
import { taskHistoryLimit } from '../cluster-settings.js';
import { updateInBatches } from '../../loop/store-writes.js';
import { withDesiredState } from '../../task/task-factory.js';
import { WatchLoopBase } from '../../loop/watch-loop-base.js';
import { historyToDelete, removal } from './select.js';

export interface TaskReaperOptions {
  readonly store: MemoryStore;
  readonly clock: Clock;
  readonly logger?: Logger;
}

/** A slot's index and key: replicated slots by number, global ones by node. */
function slotOf(task: Task): string {
  return task.slot > 0 || task.nodeId === undefined
    ? `s\n${serviceSlotKey(task.serviceId, task.slot)}`
    : `n\n${serviceNodeKey(task.serviceId, task.nodeId)}`;
}

type Write =
  { readonly kind: 'delete'; readonly id: string } | { readonly kind: 'remove'; readonly id: string };

export class TaskReaper extends WatchLoopBase {
  readonly #o: TaskReaperOptions;
  readonly #slots = new Set<string>();
  readonly #candidates = new Set<string>();

  constructor(o: TaskReaperOptions) {
    super('task-reaper', ['tasks', 'services', 'nodes', 'clusters'], o);
    this.#o = o;
  }

  protected override init(tx: ReadTx): void {
    for (const t of tx.list('tasks')) this.#note(t);
  }

  #note(task: Task): void {
    this.#slots.add(slotOf(task));
    this.#candidates.add(task.id);
  }

  protected override onEvent(e: ChangeEvent): void {
    switch (e.table) {
      case 'tasks':
        if (e.action !== 'delete') this.#note(e.object);
        return;
      case 'services':
        if (e.action === 'create') return;
        this.#o.store.view((tx) => {
          for (const t of tx.find('tasks', 'serviceId', e.object.id)) this.#candidates.add(t.id);
        });
        return;
      case 'nodes':
        if (e.action === 'create') return;
        this.#o.store.view((tx) => {
          for (const t of tx.find('tasks', 'nodeId', e.object.id)) this.#candidates.add(t.id);
        });
        return;
      case 'clusters':
        if (e.action === 'update') {
          const was = e.oldObject.spec.orchestration.taskHistoryRetentionLimit;
          if (was !== e.object.spec.orchestration.taskHistoryRetentionLimit)
            this.#o.store.view((tx) => this.init(tx));
        }
        return;
      default:
        return;
    }
  }

  /** Runs the decision for one task or slot; one that throws is logged and skipped. */
  #guard(ids: Readonly<Record<string, string>>, fn: () => void): void {
    try {
      fn();
    } catch (e: unknown) {
      this.log.error({ ...ids, err: e }, 'task reaper: failed on this object; skipped it');
    }
  }

  protected override async flush(): Promise<void> {
    if (this.#slots.size === 0 && this.#candidates.size === 0) return;
    const writes: Write[] = [];
    this.#o.store.view((tx) => {
      const limit = taskHistoryLimit(tx);
      const deleting = new Set<string>();
      for (const id of this.#candidates) {
        this.#guard({ task: id }, () => {
          const task = tx.get('tasks', id);
          if (task === undefined) return;
          const node = task.nodeId === undefined ? undefined : tx.get('nodes', task.nodeId);
          const verdict = removal({
            task,
            service: tx.get('services', task.serviceId),
            nodeExists: node !== undefined,
            nodeAlive: node !== undefined && node.status.state !== 'down',
          });
          if (verdict === 'delete') deleting.add(id);
          if (verdict !== 'keep') writes.push({ kind: verdict === 'delete' ? 'delete' : 'remove', id });
        });
      }
      for (const slot of this.#slots) {
        this.#guard({ slot }, () => {
          const [kind, key] = slot.split('\n') as ['s' | 'n', string];
          const tasks = tx.find('tasks', kind === 's' ? 'serviceSlot' : 'serviceNode', key);
          for (const t of historyToDelete(tasks, limit)) {
            if (!deleting.has(t.id)) {
              deleting.add(t.id);
              writes.push({ kind: 'delete', id: t.id });
            }
          }
        });
      }
    });
    this.#slots.clear();
    this.#candidates.clear();
    if (writes.length === 0) return;
    const now = new Date(this.#o.clock.now()).toISOString();
    const failed = await updateInBatches(
      this.#o.store,
      this.log,
      'task reaper',
      writes,
      (tx, w) => {
        const task = tx.get('tasks', w.id);
        if (task === undefined) return;
        if (w.kind === 'delete') tx.delete('tasks', w.id);
        else tx.update('tasks', withDesiredState(task, 'remove', now));
      },
      undefined,
      (w) => ({ task: w.id }),
    );
    if (failed.length === 0) return;
    this.#o.store.view((tx) => {
      for (const w of failed) {
        const task = tx.get('tasks', w.id);
        if (task !== undefined) this.#note(task);
      }
    });
    this.retry.schedule();
  }
}
