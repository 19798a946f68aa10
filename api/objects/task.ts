// Tasks: one scheduled instance of a service's task template, with the desired state the
// orchestrator drives and the status the agent reports (Docker's Task).

import type { Driver, Labels, PortConfig, StoredObjectBase } from './common.js';
import type { TaskSpec } from './task-spec.js';

/** Swarm's task states, in lifecycle order (a task only moves forward through them). */
export const TASK_STATES = [
  'new',
  'allocated',
  'pending',
  'assigned',
  'accepted',
  'preparing',
  'ready',
  'starting',
  'running',
  'complete',
  'shutdown',
  'failed',
  'rejected',
  'remove',
  'orphaned',
] as const;
export type TaskState = (typeof TASK_STATES)[number];

/** Position of a state in the lifecycle, for "at least running"-style comparisons. */
export function taskStateRank(state: TaskState): number {
  return TASK_STATES.indexOf(state);
}

export interface ContainerStatus {
  containerId: string;
  pid: number;
  exitCode: number;
}

export interface TaskStatus {
  /** ISO-8601 time of the last state change. */
  timestamp: string;
  state: TaskState;
  /** Human-readable progress ("starting", "pulling image"...) as `docker service ps` shows. */
  message: string;
  /** Error that made the task fail or be rejected. */
  err?: string;
  containerStatus?: ContainerStatus;
  portStatus?: { ports: PortConfig[] };
  /** Node that reported this status. */
  appliedBy?: string;
  appliedAt?: string;
}

export interface NetworkAttachment {
  networkId: string;
  /** CIDR addresses assigned to the task on that network, e.g. "10.0.1.5/24". */
  addresses: string[];
  aliases: string[];
}

export interface Task extends StoredObjectBase {
  serviceId: string;
  /** Replica number for replicated services (1-based); 0 for global services. */
  slot: number;
  /** Node the scheduler assigned; absent while the task is unassigned. */
  nodeId?: string;
  spec: TaskSpec;
  /** meta.version of the service's spec this task was created from. */
  specVersion?: number;
  /** Name and labels of the service when the task was created (for naming: web.1.<id>). */
  serviceAnnotations: { name: string; labels: Labels };
  desiredState: TaskState;
  status: TaskStatus;
  networksAttachments: NetworkAttachment[];
  /** Which run of a job this task belongs to (jobs only). */
  jobIteration?: number;
  /**
   * The cluster's default log driver when the task was created and its spec names none
   * (swarmkit's Task.LogDriver). Outside the spec: a new default does not make tasks out of date.
   */
  logDriver?: Driver;
}

/** A network attachment task: a non-service container's address on a swarm network. */
export function isAttachmentTask(t: Pick<Task, 'spec'>): boolean {
  return t.spec.attachment !== undefined;
}
