// Test fixtures: minimal valid objects for every table, a deterministic clock and a seeded
// random generator.

import type { NewObject, ObjectOf, TableName, TaskState, TaskSpec, ServiceMode } from '../index.js';
import type { NodeAvailability, NodeRole } from '../index.js';
import { VXLANID_OPTION } from '../network.js';
import { formatIPv4, parseCidr } from '../../network/ipv4.js';

/** A clock that advances one second per reading from a fixed start (replicas agree on it). */
export function steppingClock(start = Date.UTC(2024, 0, 1)): () => Date {
  let t = start;
  return () => new Date((t += 1000));
}

/** mulberry32: a small seeded generator for reproducible workloads. */
export function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function taskSpec(image = 'nginx:1.25'): TaskSpec {
  return {
    containerSpec: {
      image,
      labels: {},
      command: [],
      args: [],
      env: ['A=1'],
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
    },
    resources: { reservations: { nanoCPUs: 100_000_000, memoryBytes: 64 << 20, generic: [] } },
    restartPolicy: { condition: 'any', delay: 5000, maxAttempts: 0, window: 0 },
    placement: { constraints: [], preferences: [], maxReplicas: 0, platforms: [] },
    networks: [],
    forceUpdate: 0,
  };
}

export function newCluster(id: string, name = 'default'): NewObject<'clusters'> {
  return {
    id,
    spec: {
      name,
      labels: {},
      orchestration: { taskHistoryRetentionLimit: 5 },
      raft: {
        snapshotInterval: 10_000,
        keepOldSnapshots: 0,
        logEntriesForSlowFollowers: 500,
        electionTick: 10,
        heartbeatTick: 1,
      },
      dispatcher: { heartbeatPeriod: 5000 },
      caConfig: { nodeCertExpiry: 90 * 24 * 3600 * 1000, externalCAs: [], forceRotate: 0 },
      encryptionConfig: { autoLockManagers: false },
    },
    rootCA: {
      caCert: '-----BEGIN CERTIFICATE-----\n-----END CERTIFICATE-----\n',
      caCertDigest: 'sha256:00',
      joinTokens: { worker: 'SWMTKN-1-00-worker', manager: 'SWMTKN-1-00-manager' },
    },
    defaultAddrPool: ['10.0.0.0/8'],
    subnetSize: 24,
    dataPathPort: 4789,
    unlockKeys: [],
  };
}

export function newNode(
  id: string,
  role: NodeRole = 'worker',
  availability: NodeAvailability = 'active',
): NewObject<'nodes'> {
  return {
    id,
    spec: { labels: {}, role, availability },
    role,
    description: {
      hostname: `host-${id}`,
      platform: { architecture: 'x86_64', os: 'linux' },
      resources: { nanoCPUs: 4e9, memoryBytes: 8 * 2 ** 30, generic: [] },
      engine: { engineVersion: '20.10.24', labels: {}, plugins: [] },
    },
    status: { state: 'ready', message: '', addr: '10.1.0.1' },
    attachments: [],
  };
}

export function newService(
  id: string,
  name: string,
  mode: ServiceMode = { kind: 'replicated', replicas: 1 },
): NewObject<'services'> {
  return { id, spec: { name, labels: {}, taskTemplate: taskSpec(), mode }, pendingDelete: false };
}

export function newTask(
  id: string,
  serviceId: string,
  slot: number,
  nodeId?: string,
  desiredState: TaskState = 'running',
): NewObject<'tasks'> {
  return {
    id,
    serviceId,
    slot,
    ...(nodeId === undefined ? {} : { nodeId }),
    spec: taskSpec(),
    serviceAnnotations: { name: `svc-${serviceId}`, labels: {} },
    desiredState,
    status: { timestamp: '2024-01-01T00:00:00.000Z', state: 'new', message: 'created' },
    networksAttachments: [],
  };
}

export function newNetwork(id: string, name: string): NewObject<'networks'> {
  return {
    id,
    spec: { name, labels: {}, ipv6Enabled: false, internal: false, attachable: false, ingress: false },
    pendingDelete: false,
  };
}

/** An overlay network as the allocator leaves it: a subnet with its gateway (.1) and a VNI. */
export function allocatedNetwork(id: string, subnet: string, vni: number, name = id): NewObject<'networks'> {
  const gateway = formatIPv4((parseCidr(subnet)?.base ?? 0) + 1);
  return {
    ...newNetwork(id, name),
    ipam: { configs: [{ subnet, gateway }] },
    driverState: { name: 'overlay', options: { [VXLANID_OPTION]: String(vni) } },
  };
}

export function newSecret(id: string, name: string): NewObject<'secrets'> {
  return { id, spec: { name, labels: {}, data: Buffer.from('s3cret').toString('base64') }, internal: false };
}

export function newConfig(id: string, name: string): NewObject<'configs'> {
  return { id, spec: { name, labels: {}, data: Buffer.from('port=80').toString('base64') } };
}

/** A minimal new object of any table, named `name` where the table has names. */
export function newObject<K extends TableName>(table: K, id: string, name = id): NewObject<K> {
  const objects: { [T in TableName]: NewObject<T> } = {
    clusters: newCluster(id, name),
    configs: newConfig(id, name),
    networks: newNetwork(id, name),
    nodes: newNode(id),
    secrets: newSecret(id, name),
    services: newService(id, name),
    tasks: newTask(id, 'svc1', 1),
  };
  return objects[table];
}

/** A copy of a stored object with one visible change, per table (for update tests). */
export function changed<K extends TableName>(table: K, obj: ObjectOf<K>): ObjectOf<K> {
  const copy = structuredClone(obj) as ObjectOf<K> & { spec: { labels?: Record<string, string> } };
  if (table === 'tasks') {
    const task = copy as ObjectOf<'tasks'>;
    task.status = { ...task.status, state: 'running', message: 'started' };
    return copy;
  }
  copy.spec.labels = { ...copy.spec.labels, changed: 'yes' };
  return copy;
}
