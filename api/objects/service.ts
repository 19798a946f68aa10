// Services: the user's declared workload (spec), the spec it replaced (previousSpec, for
// rollback), and what the system tracks about it (update status, allocated endpoint).

import type { Labels, PortConfig, StoredObjectBase } from './common.js';
import type { TaskSpec } from './task-spec.js';

export type ServiceMode =
  | { kind: 'replicated'; replicas: number }
  | { kind: 'global' }
  | { kind: 'replicatedJob'; maxConcurrent: number; totalCompletions: number }
  | { kind: 'globalJob' };
export type ServiceModeKind = ServiceMode['kind'];
export const SERVICE_MODE_KINDS: readonly ServiceModeKind[] = [
  'replicated',
  'global',
  'replicatedJob',
  'globalJob',
];

export type FailureAction = 'pause' | 'continue' | 'rollback';
export type UpdateOrder = 'stop-first' | 'start-first';

/** How a rolling update (or a rollback) proceeds (Docker's UpdateConfig). */
export interface UpdateConfig {
  /** Tasks updated at once; 0 means all at once. */
  parallelism: number;
  /** Milliseconds between batches. */
  delay: number;
  /** The delay in nanoseconds as the API gave it, when not a whole number of milliseconds. */
  delayNs?: number;
  failureAction: FailureAction;
  /** Milliseconds to watch each updated task for failure. */
  monitor: number;
  /** The monitor period in nanoseconds as given, when not a whole number of milliseconds. */
  monitorNs?: number;
  /** Fraction (0..1) of failed tasks tolerated during the update. */
  maxFailureRatio: number;
  order: UpdateOrder;
}

export type EndpointMode = 'vip' | 'dnsrr';

export interface EndpointSpec {
  mode: EndpointMode;
  ports: PortConfig[];
}

export interface ServiceSpec {
  name: string;
  labels: Labels;
  taskTemplate: TaskSpec;
  mode: ServiceMode;
  updateConfig?: UpdateConfig;
  rollbackConfig?: UpdateConfig;
  endpointSpec?: EndpointSpec;
}

export type UpdateState =
  'updating' | 'paused' | 'completed' | 'rollback_started' | 'rollback_paused' | 'rollback_completed';

export interface UpdateStatus {
  state: UpdateState;
  startedAt?: string;
  completedAt?: string;
  message: string;
}

/** What the allocator assigned: published ports and one virtual IP per attached network. */
export interface Endpoint {
  spec: EndpointSpec;
  ports: PortConfig[];
  virtualIPs: { networkId: string; addr: string }[];
}

export interface JobStatus {
  /** Bumped each time the job is (re)started, so old tasks can be told apart. */
  jobIteration: number;
  lastExecution?: string;
}

export interface Service extends StoredObjectBase {
  spec: ServiceSpec;
  /** The spec before the last update, kept so `service rollback` can return to it. */
  previousSpec?: ServiceSpec;
  /** meta.version of the service when spec last changed (tasks record which spec they run). */
  specVersion?: number;
  updateStatus?: UpdateStatus;
  endpoint?: Endpoint;
  jobStatus?: JobStatus;
  /** Set when removal was requested but tasks and allocations are still being cleaned up. */
  pendingDelete: boolean;
}
