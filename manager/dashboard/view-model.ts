// What the dashboard's page gets: small JSON views of the store's nodes, services and tasks.
// Pure functions of store objects (no clock, no I/O), so the page shows exactly what the
// store says and the unit tests can pin it down.

import type { Node, PortConfig, ReadTx, Service, Task, TaskState } from '../store/index.js';
import { serviceStatus } from '../engineapi/service-status.js';

export interface NodeView {
  readonly id: string;
  readonly hostname: string;
  readonly role: Node['role'];
  readonly state: Node['status']['state'];
  readonly availability: Node['spec']['availability'];
  readonly addr: string;
  readonly leader: boolean;
  /** A manager's reachability as the leader sees it; absent on workers. */
  readonly reachability?: 'unknown' | 'unreachable' | 'reachable';
}

export interface ServiceView {
  readonly id: string;
  readonly name: string;
  readonly mode: Service['spec']['mode']['kind'];
  readonly image: string;
  readonly running: number;
  readonly desired: number;
  /** "8080:80/tcp" for each published port (allocated when the allocator has run). */
  readonly ports: readonly string[];
  readonly updateState?: string;
}

export interface TaskView {
  readonly id: string;
  readonly serviceId: string;
  readonly slot: number;
  /** Absent while the task is not scheduled. */
  readonly nodeId?: string;
  readonly state: TaskState;
  readonly desiredState: TaskState;
  readonly message: string;
  readonly error?: string;
  /** When the task last changed state (ISO-8601, as the store has it). */
  readonly since: string;
}

export interface DashboardState {
  /** The Raft index the snapshot was read at: deltas at or below it are already in it. */
  readonly index: number;
  readonly nodes: readonly NodeView[];
  readonly services: readonly ServiceView[];
  readonly tasks: readonly TaskView[];
  /** True when there were more tasks than a snapshot carries (MAX_STATE_TASKS). */
  readonly truncated: boolean;
}

/**
 * Most tasks a snapshot carries. The grid is for looking at, not for 100 000 cells; beyond
 * this the page says it shows a part.
 */
export const MAX_STATE_TASKS = 5000;

export function nodeView(n: Node): NodeView {
  return {
    id: n.id,
    hostname: n.description?.hostname || n.spec.name || n.id,
    role: n.role,
    state: n.status.state,
    availability: n.spec.availability,
    addr: n.status.addr,
    leader: n.managerStatus?.leader === true,
    ...(n.managerStatus ? { reachability: n.managerStatus.reachability } : {}),
  };
}

export function portText(p: PortConfig): string {
  return `${p.publishedPort}:${p.targetPort}/${p.protocol}${p.publishMode === 'host' ? ' (host)' : ''}`;
}

export function serviceView(tx: ReadTx, s: Service): ServiceView {
  const status = serviceStatus(tx, s);
  const ports = s.endpoint?.ports ?? s.spec.endpointSpec?.ports ?? [];
  return {
    id: s.id,
    name: s.spec.name,
    mode: s.spec.mode.kind,
    image: s.spec.taskTemplate.containerSpec.image,
    running: status.RunningTasks,
    desired: status.DesiredTasks,
    ports: ports.map(portText),
    ...(s.updateStatus ? { updateState: s.updateStatus.state } : {}),
  };
}

const FINISHED: ReadonlySet<TaskState> = new Set([
  'complete',
  'shutdown',
  'failed',
  'rejected',
  'remove',
  'orphaned',
]);

/**
 * Whether the grid shows a task: everything wanted or still alive. A task that has finished
 * and is not wanted running (the history Swarm keeps per slot) is left out, so a scale down
 * shows its tasks stopping and then going.
 */
export function isShownTask(t: Task): boolean {
  return !(FINISHED.has(t.status.state) && t.desiredState !== 'running');
}

export function taskView(t: Task): TaskView {
  return {
    id: t.id,
    serviceId: t.serviceId,
    slot: t.slot,
    ...(t.nodeId !== undefined && t.nodeId !== '' ? { nodeId: t.nodeId } : {}),
    state: t.status.state,
    desiredState: t.desiredState,
    message: t.status.message,
    ...(t.status.err ? { error: t.status.err } : {}),
    since: t.status.timestamp,
  };
}

const byName = <T extends { readonly name: string }>(a: T, b: T): number => a.name.localeCompare(b.name);

/** The whole dashboard state, read in one transaction at Raft index `index`. */
export function dashboardState(tx: ReadTx, index: number): DashboardState {
  const nodes = tx
    .list('nodes')
    .map(nodeView)
    .sort((a, b) => a.hostname.localeCompare(b.hostname) || a.id.localeCompare(b.id));
  const services = tx
    .list('services')
    .filter((s) => !s.pendingDelete)
    .map((s) => serviceView(tx, s))
    .sort(byName);
  const shown = tx.list('tasks').filter(isShownTask);
  const tasks = shown
    .slice(0, MAX_STATE_TASKS)
    .map(taskView)
    .sort((a, b) => a.serviceId.localeCompare(b.serviceId) || a.slot - b.slot || a.id.localeCompare(b.id));
  return { index, nodes, services, tasks, truncated: shown.length > MAX_STATE_TASKS };
}
