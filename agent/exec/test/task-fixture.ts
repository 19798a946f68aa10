// Builds complete Task objects for executor and worker tests (what the dispatcher would send).

import { randomBytes } from 'node:crypto';
import type { ContainerSpec, Task, TaskSpec } from '../../../api/objects/index.js';

export function containerSpec(overrides: Partial<ContainerSpec> = {}): ContainerSpec {
  return {
    image: 'shoal/busybox:latest',
    labels: {},
    command: [],
    args: [],
    env: [],
    groups: [],
    tty: false,
    openStdin: false,
    readOnly: false,
    mounts: [],
    hosts: [],
    secrets: [],
    configs: [],
    sysctls: {},
    capabilityAdd: [],
    capabilityDrop: [],
    ...overrides,
  };
}

export interface TaskOverrides {
  id?: string;
  serviceName?: string;
  slot?: number;
  nodeId?: string;
  desiredState?: Task['desiredState'];
  container?: Partial<ContainerSpec>;
  spec?: Partial<Omit<TaskSpec, 'containerSpec'>>;
}

/** A 25-character lowercase ID, like Swarm's. */
export function newId(): string {
  return randomBytes(16)
    .toString('base64url')
    .toLowerCase()
    .replace(/[^a-z0-9]/g, 'x')
    .slice(0, 25);
}

export function makeTask(o: TaskOverrides = {}): Task {
  const now = new Date().toISOString();
  return {
    id: o.id ?? newId(),
    meta: { version: 1, createdAt: now, updatedAt: now },
    serviceId: 'svc' + newId().slice(0, 10),
    slot: o.slot ?? 1,
    nodeId: o.nodeId ?? 'node1',
    spec: {
      containerSpec: containerSpec(o.container),
      resources: {},
      restartPolicy: { condition: 'any', delay: 5000, maxAttempts: 0, window: 0 },
      placement: { constraints: [], preferences: [], maxReplicas: 0, platforms: [] },
      networks: [],
      forceUpdate: 0,
      ...o.spec,
    },
    serviceAnnotations: { name: o.serviceName ?? 'web', labels: {} },
    desiredState: o.desiredState ?? 'running',
    status: { timestamp: now, state: 'assigned', message: 'scheduler assigned task to node' },
    networksAttachments: [],
  };
}

/** A copy of the task with another desired state (as the dispatcher sends an update). */
export function withDesired(task: Task, desiredState: Task['desiredState']): Task {
  return { ...task, desiredState };
}
