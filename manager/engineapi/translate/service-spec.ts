// ServiceSpec: Docker's (Name, Labels, TaskTemplate, Mode, UpdateConfig, RollbackConfig,
// EndpointSpec) <-> the store's spec. Mode and enum values are checked here with Docker's
// messages; limits and value-range checks live in the control layer (manager/controlapi).

import type {
  EndpointSpec,
  FailureAction,
  PortConfig,
  PortProtocol,
  PublishMode,
  ServiceMode,
  ServiceSpec,
  UpdateConfig,
  UpdateOrder,
} from '../../store/index.js';
import { invalidParameter } from '../errors.js';
import type {
  DockerEndpointSpec,
  DockerPortConfig,
  DockerServiceMode,
  DockerServiceSpec,
  DockerUpdateConfig,
} from '../../../api/docker/service-spec.js';
import { durationFromStore, durationToStore } from './duration.js';
import { taskSpecFromStore, taskSpecToStore } from './task-spec.js';

export function modeToStore(m: DockerServiceMode | undefined): ServiceMode {
  const given = [m?.Replicated, m?.Global, m?.ReplicatedJob, m?.GlobalJob].filter((x) => x !== undefined);
  if (given.length > 1) throw invalidParameter('must specify only one service mode');
  if (m?.Global !== undefined) return { kind: 'global' };
  if (m?.GlobalJob !== undefined) return { kind: 'globalJob' };
  if (m?.ReplicatedJob !== undefined) {
    const maxConcurrent = m.ReplicatedJob.MaxConcurrent ?? 1;
    return {
      kind: 'replicatedJob',
      maxConcurrent,
      totalCompletions: m.ReplicatedJob.TotalCompletions ?? maxConcurrent,
    };
  }
  return { kind: 'replicated', replicas: m?.Replicated?.Replicas ?? 1 };
}

export function modeFromStore(m: ServiceMode): DockerServiceMode {
  switch (m.kind) {
    case 'replicated':
      return { Replicated: { Replicas: m.replicas } };
    case 'global':
      return { Global: {} };
    case 'replicatedJob':
      return { ReplicatedJob: { MaxConcurrent: m.maxConcurrent, TotalCompletions: m.totalCompletions } };
    case 'globalJob':
      return { GlobalJob: {} };
  }
}

const FAILURE_ACTIONS: readonly FailureAction[] = ['pause', 'continue', 'rollback'];
const ORDERS: readonly UpdateOrder[] = ['stop-first', 'start-first'];

export function updateConfigToStore(u: DockerUpdateConfig | undefined): UpdateConfig | undefined {
  if (u === undefined) return undefined;
  const action = u.FailureAction ?? '';
  if (action !== '' && !(FAILURE_ACTIONS as readonly string[]).includes(action)) {
    throw invalidParameter(`unrecognized update failure action ${action}`);
  }
  const order = u.Order ?? '';
  if (order !== '' && !(ORDERS as readonly string[]).includes(order)) {
    throw invalidParameter(`unrecognized update order ${order}`);
  }
  const delay = durationToStore(u.Delay ?? 0);
  const monitor = durationToStore(u.Monitor ?? 0);
  const out: UpdateConfig = {
    parallelism: u.Parallelism ?? 0,
    delay: delay.ms,
    failureAction: action === '' ? 'pause' : (action as FailureAction),
    monitor: monitor.ms,
    maxFailureRatio: u.MaxFailureRatio ?? 0,
    order: order === '' ? 'stop-first' : (order as UpdateOrder),
  };
  if (delay.ns !== undefined) out.delayNs = delay.ns;
  if (monitor.ns !== undefined) out.monitorNs = monitor.ns;
  return out;
}

export function updateConfigFromStore(u: UpdateConfig): DockerUpdateConfig {
  const out: DockerUpdateConfig = { Parallelism: u.parallelism };
  // Go's omitempty: a zero duration is left out.
  const delay = durationFromStore(u.delay, u.delayNs);
  if (delay !== 0) out.Delay = delay;
  out.FailureAction = u.failureAction;
  const monitor = durationFromStore(u.monitor, u.monitorNs);
  if (monitor !== 0) out.Monitor = monitor;
  out.MaxFailureRatio = u.maxFailureRatio;
  out.Order = u.order;
  return out;
}

const PROTOCOLS: readonly PortProtocol[] = ['tcp', 'udp', 'sctp'];
const PUBLISH_MODES: readonly PublishMode[] = ['ingress', 'host'];

export function portToStore(p: DockerPortConfig): PortConfig {
  const protocol = p.Protocol ?? '';
  if (protocol !== '' && !(PROTOCOLS as readonly string[]).includes(protocol)) {
    throw invalidParameter(`invalid protocol: ${JSON.stringify(protocol)}`);
  }
  const mode = p.PublishMode ?? '';
  if (mode !== '' && !(PUBLISH_MODES as readonly string[]).includes(mode)) {
    throw invalidParameter(`invalid publish mode: ${JSON.stringify(mode)}`);
  }
  const out: PortConfig = {
    protocol: protocol === '' ? 'tcp' : (protocol as PortProtocol),
    targetPort: p.TargetPort ?? 0,
    publishedPort: p.PublishedPort ?? 0,
    publishMode: mode === '' ? 'ingress' : (mode as PublishMode),
  };
  if (p.Name !== undefined && p.Name !== '') out.name = p.Name;
  return out;
}

export function portFromStore(p: PortConfig): DockerPortConfig {
  const out: DockerPortConfig = {};
  if (p.name !== undefined) out.Name = p.name;
  out.Protocol = p.protocol;
  out.TargetPort = p.targetPort;
  if (p.publishedPort !== 0) out.PublishedPort = p.publishedPort;
  out.PublishMode = p.publishMode;
  return out;
}

export function endpointSpecToStore(e: DockerEndpointSpec | undefined): EndpointSpec | undefined {
  if (e === undefined) return undefined;
  const mode = e.Mode ?? '';
  if (mode !== '' && mode !== 'vip' && mode !== 'dnsrr') {
    throw invalidParameter(`invalid resolution mode: ${JSON.stringify(mode)}`);
  }
  return { mode: mode === '' ? 'vip' : mode, ports: (e.Ports ?? []).map(portToStore) };
}

export function endpointSpecFromStore(e: EndpointSpec): DockerEndpointSpec {
  const out: DockerEndpointSpec = { Mode: e.mode };
  if (e.ports.length > 0) out.Ports = e.ports.map(portFromStore);
  return out;
}

/**
 * Docker's ServiceSpec to the store's; `name` replaces an empty Name (Docker picks a random one).
 * The deprecated top-level Networks is the route's to move or drop by API version first
 * (api-version-spec.ts); here it is not read.
 */
export function serviceSpecToStore(s: DockerServiceSpec, name: string): ServiceSpec {
  const out: ServiceSpec = {
    name: s.Name === undefined || s.Name === '' ? name : s.Name,
    labels: { ...(s.Labels ?? {}) },
    taskTemplate: taskSpecToStore(s.TaskTemplate),
    mode: modeToStore(s.Mode),
  };
  const update = updateConfigToStore(s.UpdateConfig);
  if (update !== undefined) out.updateConfig = update;
  const rollback = updateConfigToStore(s.RollbackConfig);
  if (rollback !== undefined) out.rollbackConfig = rollback;
  const endpoint = endpointSpecToStore(s.EndpointSpec);
  if (endpoint !== undefined) out.endpointSpec = endpoint;
  return out;
}

export function serviceSpecFromStore(s: ServiceSpec): DockerServiceSpec {
  const out: DockerServiceSpec = {
    Name: s.name,
    Labels: { ...s.labels },
    TaskTemplate: taskSpecFromStore(s.taskTemplate),
    Mode: modeFromStore(s.mode),
  };
  if (s.updateConfig !== undefined) out.UpdateConfig = updateConfigFromStore(s.updateConfig);
  if (s.rollbackConfig !== undefined) out.RollbackConfig = updateConfigFromStore(s.rollbackConfig);
  if (s.endpointSpec !== undefined) out.EndpointSpec = endpointSpecFromStore(s.endpointSpec);
  return out;
}
