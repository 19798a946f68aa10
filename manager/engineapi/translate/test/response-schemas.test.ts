// The translate functions' answers against the response schemas in api/docker/ (the CLI reads
// the answers by the same schemas), so a schema that drifts from what the server sends fails
// here: every object is built with its optional parts present, and bare.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { TSchema } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import type { Meta, ObjectOf, TableName } from '../../../store/index.js';
import {
  newCluster,
  newNetwork,
  newNode,
  newService,
  newTask,
  allocatedNetwork,
} from '../../../../api/objects/test/fixtures.js';
import { ClusterInfoSchema, SwarmSchema } from '../../../../api/docker/cluster.js';
import { EventSchema } from '../../../../api/docker/event.js';
import { NetworkResourceSchema } from '../../../../api/docker/network-resource.js';
import { NodeSchema } from '../../../../api/docker/node.js';
import { ServiceSchema } from '../../../../api/docker/service.js';
import { TaskSchema } from '../../../../api/docker/task.js';
import { clusterInfoFromStore, swarmFromStore } from '../cluster.js';
import { insertServiceDefaults } from '../defaults.js';
import { eventFromChange } from '../event.js';
import { networkFromStore } from '../network.js';
import { nodeFromStore } from '../node.js';
import { serviceFromStore } from '../service.js';
import { taskFromStore } from '../task.js';

const META: Meta = {
  version: 7,
  createdAt: '2024-01-01T00:00:00.000Z',
  updatedAt: '2024-01-02T00:00:00.000Z',
};

function stored<K extends TableName>(object: Omit<ObjectOf<K>, 'meta'>): ObjectOf<K> {
  return { ...object, meta: META } as ObjectOf<K>;
}

/** Fails with the schema's complaints (path and message), not just "false". */
function assertMatches(schema: TSchema, value: unknown, what: string): void {
  const errors = [...Value.Errors(schema, value)].map((e) => `${e.path}: ${e.message}`);
  assert.deepEqual(errors, [], `${what} does not match its response schema`);
}

const PORT = { protocol: 'tcp', targetPort: 80, publishedPort: 8080, publishMode: 'ingress' } as const;

test('a service as served matches ServiceSchema (bare, full, with defaults inserted)', () => {
  const bare = stored<'services'>(newService('s1', 'web'));
  assertMatches(ServiceSchema, serviceFromStore(bare), 'bare service');

  const full = stored<'services'>({
    ...newService('s2', 'api', { kind: 'replicatedJob', maxConcurrent: 2, totalCompletions: 4 }),
    previousSpec: newService('s2', 'api').spec,
    updateStatus: {
      state: 'rollback_completed',
      startedAt: META.createdAt,
      completedAt: META.updatedAt,
      message: 'rolled back',
    },
    endpoint: {
      spec: { mode: 'vip', ports: [PORT] },
      ports: [PORT],
      virtualIPs: [{ networkId: 'n1', addr: '10.0.0.2/24' }],
    },
    jobStatus: { jobIteration: 3, lastExecution: META.updatedAt },
  });
  const served = serviceFromStore(full, { RunningTasks: 1, DesiredTasks: 2, CompletedTasks: 1 });
  assertMatches(ServiceSchema, served, 'full service');
  assertMatches(
    ServiceSchema,
    { ...served, Spec: insertServiceDefaults(served.Spec) },
    'service with defaults',
  );
});

test('a task as served matches TaskSchema (bare and full)', () => {
  const bare = stored<'tasks'>(newTask('t1', 's1', 1));
  assertMatches(TaskSchema, taskFromStore(bare), 'bare task');

  const full = stored<'tasks'>({
    ...newTask('t2', 's1', 2, 'node1', 'shutdown'),
    status: {
      timestamp: META.updatedAt,
      state: 'failed',
      message: 'started',
      err: 'exit 1',
      containerStatus: { containerId: 'c1', pid: 42, exitCode: 1 },
      portStatus: { ports: [{ ...PORT, publishMode: 'host' }] },
    },
    networksAttachments: [{ networkId: 'n1', addresses: ['10.0.0.5/24'], aliases: [] }],
    jobIteration: 1,
  });
  const network = stored<'networks'>(newNetwork('n1', 'backend'));
  assertMatches(
    TaskSchema,
    taskFromStore(full, (id) => (id === 'n1' ? network : undefined)),
    'full task',
  );
  assertMatches(TaskSchema, taskFromStore(full), 'task whose network is gone');
});

test('a node as served matches NodeSchema (bare worker, described manager)', () => {
  const { description: _unused, ...undescribed } = newNode('w1');
  assertMatches(NodeSchema, nodeFromStore(stored<'nodes'>(undescribed), 2), 'undescribed node');

  const base = newNode('m1', 'manager');
  const manager = stored<'nodes'>({
    ...base,
    spec: { ...base.spec, name: 'm1', labels: { zone: 'a' } },
    description: {
      ...base.description!,
      engine: {
        engineVersion: '20.10.24',
        labels: { ssd: 'yes' },
        plugins: [{ type: 'Network', name: 'overlay' }],
      },
      tlsInfo: { trustRoot: 'PEM', certIssuerSubject: 'c3ViamVjdA==', certIssuerPublicKey: 'a2V5' },
    },
    status: { state: 'down', message: 'heartbeat failure', addr: '10.1.0.2' },
    managerStatus: { raftId: 2, addr: '10.1.0.2:2377', leader: true, reachability: 'reachable' },
  });
  assertMatches(NodeSchema, nodeFromStore(manager, 2), 'manager node');
  // Leader is the member the answering manager knows as leader, not the stored flag.
  assert.equal(nodeFromStore(manager, 2).ManagerStatus?.Leader, true);
  assert.equal(nodeFromStore(manager, 3).ManagerStatus?.Leader, undefined);
  assert.equal(nodeFromStore(manager, 0).ManagerStatus?.Leader, undefined);
});

test('the cluster as served matches ClusterInfoSchema and SwarmSchema', () => {
  const cluster = stored<'clusters'>(newCluster('c1'));
  assertMatches(ClusterInfoSchema, clusterInfoFromStore(cluster), 'cluster info');
  assertMatches(SwarmSchema, swarmFromStore(cluster), 'swarm');
  // The join tokens are what tells a Swarm from a ClusterInfo.
  assert.equal(Value.Check(SwarmSchema, clusterInfoFromStore(cluster)), false);
});

test('a network as served matches NetworkResourceSchema (spec only, allocated)', () => {
  assertMatches(
    NetworkResourceSchema,
    networkFromStore(stored<'networks'>(newNetwork('n1', 'a'))),
    'network',
  );
  const allocated = stored<'networks'>(allocatedNetwork('n2', '10.0.1.0/24', 4097, 'b'));
  const local = {
    Containers: {
      c1: {
        Name: 'web.1.t1',
        EndpointID: '',
        MacAddress: '02:42:0a:00:01:02',
        IPv4Address: '10.0.1.2/24',
        IPv6Address: '',
      },
    },
    Peers: [{ Name: 'host-1', IP: '10.1.0.1' }],
  };
  assertMatches(NetworkResourceSchema, networkFromStore(allocated, local), 'allocated network');
});

test('events as served match EventSchema', () => {
  const before = stored<'services'>(newService('s1', 'web'));
  const after = stored<'services'>(newService('s1', 'web', { kind: 'replicated', replicas: 3 }));
  const at = new Date(Date.UTC(2024, 0, 1));
  for (const change of [
    { action: 'update', table: 'services', object: after, oldObject: before } as const,
    { action: 'create', table: 'tasks', object: stored<'tasks'>(newTask('t1', 's1', 1, 'n1')) } as const,
    { action: 'delete', table: 'nodes', object: stored<'nodes'>(newNode('n1')) } as const,
  ]) {
    const event = eventFromChange(change, at);
    assert.ok(event !== undefined, `${change.table} ${change.action} has an event`);
    assertMatches(EventSchema, event, `${change.table} ${change.action} event`);
  }
});

test('the response schemas reject what a client could not read', () => {
  const served = serviceFromStore(stored<'services'>(newService('s1', 'web')));
  assert.equal(Value.Check(ServiceSchema, { ...served, ID: undefined }), false);
  const task = taskFromStore(stored<'tasks'>(newTask('t1', 's1', 1)));
  assert.equal(Value.Check(TaskSchema, { ...task, Status: { ...task.Status, State: 'sleeping' } }), false);
});
