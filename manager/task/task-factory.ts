// Making and changing tasks the way Swarm does: a new task is stamped from the service's
// current template in state 'new'; every status change sets the state, a timestamp and a
// message together.

import { generateId } from '../../api/objects/ids.js';
import type {
  NewObject,
  Service,
  Task,
  TaskDefaults,
  TaskState,
  TaskStatus,
} from '../../api/objects/index.js';
import type { ReadTx } from '../store/read-tx.js';

export interface NewTaskOptions {
  readonly slot: number;
  readonly nodeId?: string | undefined;
  readonly desiredState: TaskState;
  readonly jobIteration?: number | undefined;
  /** ISO-8601 time of creation (the status timestamp). */
  readonly now: string;
  /** Defaults to a fresh Swarm-style ID. */
  readonly id?: string;
  /** The cluster's task defaults (`taskDefaultsOf`); absent outside a swarm's store. */
  readonly taskDefaults?: TaskDefaults | undefined;
}

/** The cluster's task defaults, read where a task is created. */
export function taskDefaultsOf(tx: ReadTx): TaskDefaults | undefined {
  return tx.list('clusters')[0]?.spec.taskDefaults;
}

/**
 * The log driver a new task carries beside its spec: the cluster's default, only when the
 * service names none (as swarmkit stamps it, so a later default changes new tasks only).
 */
function defaultLogDriver(service: Service, defaults: TaskDefaults | undefined): Task['logDriver'] {
  const own = service.spec.taskTemplate.logDriver;
  if (own !== undefined && own.name !== '') return undefined;
  const d = defaults?.logDriver;
  if (d === undefined || d.name === '') return undefined;
  return { name: d.name, options: { ...d.options } };
}

export function newTask(service: Service, o: NewTaskOptions): NewObject<'tasks'> {
  const logDriver = defaultLogDriver(service, o.taskDefaults);
  return {
    id: o.id ?? generateId(),
    serviceId: service.id,
    slot: o.slot,
    ...(o.nodeId === undefined ? {} : { nodeId: o.nodeId }),
    spec: service.spec.taskTemplate,
    ...(service.specVersion === undefined ? {} : { specVersion: service.specVersion }),
    serviceAnnotations: { name: service.spec.name, labels: service.spec.labels },
    desiredState: o.desiredState,
    status: { timestamp: o.now, state: 'new', message: 'created' },
    networksAttachments: [],
    ...(o.jobIteration === undefined ? {} : { jobIteration: o.jobIteration }),
    ...(logDriver === undefined ? {} : { logDriver }),
  };
}

/** A status with a new state, message and timestamp (error cleared unless given). */
export function withStatus(task: Task, state: TaskState, message: string, now: string, err?: string): Task {
  const status: TaskStatus = { ...task.status, state, message, timestamp: now };
  if (err === undefined) delete status.err;
  else status.err = err;
  return { ...task, status };
}

/**
 * The task with a new desired state. A task never assigned to a node has no agent to stop it,
 * so stopping one also moves its status to 'shutdown' at once.
 */
export function withDesiredState(task: Task, desiredState: TaskState, now: string): Task {
  const stopping = desiredState === 'shutdown' || desiredState === 'remove';
  if (stopping && task.nodeId === undefined && task.status.state !== 'shutdown') {
    return { ...withStatus(task, 'shutdown', 'shutdown before assignment', now), desiredState };
  }
  return { ...task, desiredState };
}
