// From one transaction's store changes to what the page needs: the views that changed or went
// (a delta, sent on the event stream) and the service events worth showing in a service's
// recent history (task state changes, scale, update). Pure: store objects in, JSON out.

import type { ChangeEvent, ReadTx, Service, Task } from '../store/index.js';
import {
  isShownTask,
  nodeView,
  serviceView,
  taskView,
  type NodeView,
  type ServiceView,
  type TaskView,
} from './view-model.js';

export type ServiceEventKind = 'created' | 'scaled' | 'updated' | 'removed' | 'task';

export interface ServiceEvent {
  readonly serviceId: string;
  /** ISO-8601, from the store object (the proposer's time, or the task's status time). */
  readonly time: string;
  readonly kind: ServiceEventKind;
  readonly message: string;
  readonly taskId?: string;
  readonly slot?: number;
  readonly nodeId?: string;
  readonly state?: Task['status']['state'];
}

export interface DashboardDelta {
  /** The Raft index of the transaction. */
  readonly index: number;
  readonly nodes: readonly NodeView[];
  readonly removedNodes: readonly string[];
  readonly services: readonly ServiceView[];
  readonly removedServices: readonly string[];
  readonly tasks: readonly TaskView[];
  /** Tasks deleted, or no longer shown (finished and not wanted). */
  readonly removedTasks: readonly string[];
  readonly events: readonly ServiceEvent[];
}

function modeText(s: Service): string {
  const m = s.spec.mode;
  switch (m.kind) {
    case 'replicated':
      return `replicated, ${m.replicas} replica${m.replicas === 1 ? '' : 's'}`;
    case 'global':
      return 'global';
    case 'replicatedJob':
      return `replicated job, ${m.totalCompletions} completions`;
    case 'globalJob':
      return 'global job';
  }
}

function replicasOf(s: Service): number | undefined {
  return s.spec.mode.kind === 'replicated' ? s.spec.mode.replicas : undefined;
}

/** The spec without its mode: what a change of counts as an update rather than a scale. */
function specWithoutMode(s: Service): string {
  const { mode: _mode, ...rest } = s.spec;
  return JSON.stringify(rest);
}

function serviceEvents(change: ChangeEvent & { table: 'services' }): ServiceEvent[] {
  const s = change.object;
  const base = { serviceId: s.id, time: s.meta.updatedAt };
  if (change.action === 'create') {
    return [
      {
        ...base,
        kind: 'created',
        message: `created: ${modeText(s)}, image ${s.spec.taskTemplate.containerSpec.image}`,
      },
    ];
  }
  if (change.action === 'delete') return [{ ...base, kind: 'removed', message: 'removed' }];
  const old = change.oldObject;
  const out: ServiceEvent[] = [];
  if (s.pendingDelete && !old.pendingDelete)
    out.push({ ...base, kind: 'removed', message: 'removal requested' });
  const [from, to] = [replicasOf(old), replicasOf(s)];
  if (from !== to) {
    out.push({
      ...base,
      kind: 'scaled',
      message:
        from !== undefined && to !== undefined ? `scaled from ${from} to ${to}` : `mode now ${modeText(s)}`,
    });
  }
  if (specWithoutMode(old) !== specWithoutMode(s)) {
    const image = s.spec.taskTemplate.containerSpec.image;
    const was = old.spec.taskTemplate.containerSpec.image;
    out.push({
      ...base,
      kind: 'updated',
      message: image !== was ? `spec updated: image ${was} -> ${image}` : 'spec updated',
    });
  }
  const [us, wasUs] = [s.updateStatus, old.updateStatus];
  if (us !== undefined && (us.state !== wasUs?.state || us.message !== wasUs.message)) {
    out.push({
      ...base,
      kind: 'updated',
      message: `update ${us.state}${us.message ? `: ${us.message}` : ''}`,
    });
  }
  return out;
}

function taskLabel(t: Task): string {
  return t.slot > 0
    ? `${t.serviceAnnotations.name}.${t.slot}`
    : `${t.serviceAnnotations.name} (${t.id.slice(0, 12)})`;
}

function taskEvents(change: ChangeEvent & { table: 'tasks' }): ServiceEvent[] {
  const t = change.object;
  const base = {
    serviceId: t.serviceId,
    time: t.status.timestamp,
    kind: 'task' as const,
    taskId: t.id,
    slot: t.slot,
    state: t.status.state,
    ...(t.nodeId ? { nodeId: t.nodeId } : {}),
  };
  if (change.action === 'create')
    return [{ ...base, message: `${taskLabel(t)} created (${t.status.state})` }];
  if (change.action === 'delete') return [];
  const old = change.oldObject;
  const out: ServiceEvent[] = [];
  if (old.status.state !== t.status.state) {
    const why = t.status.err ? `: ${t.status.err}` : '';
    out.push({ ...base, message: `${taskLabel(t)} ${old.status.state} -> ${t.status.state}${why}` });
  }
  if (old.desiredState !== t.desiredState) {
    out.push({ ...base, message: `${taskLabel(t)} desired ${t.desiredState}` });
  }
  return out;
}

/** The service events one change makes (none for nodes and other tables). */
export function serviceEventsOf(change: ChangeEvent): ServiceEvent[] {
  if (change.table === 'services') return serviceEvents(change);
  if (change.table === 'tasks') return taskEvents(change);
  return [];
}

/**
 * One transaction's changes as a delta. Services whose tasks changed are read again from `tx`
 * (their running count moved); `tx` may be later than `index` (the stream lags the store), and
 * the page converges on the store's state either way.
 */
export function deltaOf(changes: readonly ChangeEvent[], index: number, tx: ReadTx): DashboardDelta {
  const nodes = new Map<string, NodeView>();
  const removedNodes = new Set<string>();
  const tasks = new Map<string, TaskView>();
  const removedTasks = new Set<string>();
  const touched = new Set<string>();
  const events: ServiceEvent[] = [];
  for (const c of changes) {
    events.push(...serviceEventsOf(c));
    switch (c.table) {
      case 'nodes':
        if (c.action === 'delete') {
          nodes.delete(c.object.id);
          removedNodes.add(c.object.id);
        } else {
          removedNodes.delete(c.object.id);
          nodes.set(c.object.id, nodeView(c.object));
        }
        break;
      case 'tasks':
        touched.add(c.object.serviceId);
        if (c.action === 'delete' || !isShownTask(c.object)) {
          tasks.delete(c.object.id);
          removedTasks.add(c.object.id);
        } else {
          removedTasks.delete(c.object.id);
          tasks.set(c.object.id, taskView(c.object));
        }
        break;
      case 'services':
        touched.add(c.object.id);
        break;
      default:
        break;
    }
  }
  const services: ServiceView[] = [];
  const removedServices: string[] = [];
  for (const id of touched) {
    const s = tx.get('services', id);
    if (s === undefined || s.pendingDelete) removedServices.push(id);
    else services.push(serviceView(tx, s));
  }
  return {
    index,
    nodes: [...nodes.values()],
    removedNodes: [...removedNodes],
    services,
    removedServices,
    tasks: [...tasks.values()],
    removedTasks: [...removedTasks],
    events,
  };
}

/** Whether a delta carries anything for the page. */
export function isEmptyDelta(d: DashboardDelta): boolean {
  return (
    d.nodes.length === 0 &&
    d.removedNodes.length === 0 &&
    d.services.length === 0 &&
    d.removedServices.length === 0 &&
    d.tasks.length === 0 &&
    d.removedTasks.length === 0 &&
    d.events.length === 0
  );
}
