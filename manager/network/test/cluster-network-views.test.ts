import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createLocalStore } from '../../store/local-proposer.js';
import type { NewObject, TaskState } from '../../../api/objects/index.js';
import { newNetwork, newNode, newService, newTask } from '../../store/test/fixtures.js';
import { VXLANID_OPTION } from '../../allocator/vni.js';
import { macOf, type NodeNetworkView } from '../../../api/network/network-view.js';
import { nodeNetworkView } from '../cluster-network-views.js';

function network(
  id: string,
  subnet: string,
  vni: number,
  change: (n: NewObject<'networks'>) => void = () => undefined,
) {
  const n = newNetwork(id, id);
  n.ipam = { configs: [{ subnet, gateway: subnet.replace(/0\/24$/, '1') }] };
  n.driverState = { name: 'overlay', options: { [VXLANID_OPTION]: String(vni) } };
  change(n);
  return n;
}

function node(id: string, addr: string, ingress: string, state: 'ready' | 'down' = 'ready') {
  const n = newNode(id);
  n.status = { state, message: '', addr };
  n.attachments = [{ networkId: 'ingress', addresses: [ingress] }];
  return n;
}

function task(
  id: string,
  serviceId: string,
  nodeId: string,
  attachments: Record<string, string>,
  state: TaskState = 'running',
  desired: TaskState = 'running',
) {
  const t = newTask(id, serviceId, 1, nodeId, desired);
  t.serviceAnnotations = { name: serviceId, labels: {} };
  t.status = { ...t.status, state };
  t.networksAttachments = Object.entries(attachments).map(([networkId, address]) => ({
    networkId,
    addresses: [address],
    aliases: [],
  }));
  return t;
}

async function cluster() {
  const store = createLocalStore();
  await store.update((tx) => {
    tx.create(
      'networks',
      network('ingress', '10.0.0.0/24', 4096, (n) => (n.spec.ingress = true)),
    );
    tx.create(
      'networks',
      network('overnet', '10.0.1.0/24', 4097, (n) => {
        n.spec.attachable = true;
        n.spec.driverConfig = { name: 'overlay', options: { 'com.docker.network.driver.mtu': '1400' } };
      }),
    );
    tx.create(
      'networks',
      network('other', '10.0.2.0/24', 4098, (n) => (n.spec.internal = true)),
    );
    tx.create('networks', newNetwork('unallocated', 'unallocated'));
    tx.create('nodes', node('n1', '192.168.1.10', '10.0.0.2/24'));
    tx.create('nodes', node('n2', '192.168.1.11', '10.0.0.3/24'));
    tx.create('nodes', node('n3', '192.168.1.12', '10.0.0.4/24', 'down'));
    const web = newService('web', 'web');
    web.spec.taskTemplate.networks = [{ target: 'overnet', aliases: ['www'], driverOpts: {} }];
    const port = {
      protocol: 'tcp' as const,
      targetPort: 80,
      publishedPort: 8080,
      publishMode: 'ingress' as const,
    };
    web.spec.endpointSpec = { mode: 'vip', ports: [port] };
    web.endpoint = {
      spec: web.spec.endpointSpec,
      ports: [port],
      virtualIPs: [
        { networkId: 'ingress', addr: '10.0.0.5/24' },
        { networkId: 'overnet', addr: '10.0.1.2/24' },
      ],
    };
    tx.create('services', web);
    const db = newService('db', 'db');
    db.spec.taskTemplate.networks = [{ target: 'other', aliases: [], driverOpts: {} }];
    db.spec.endpointSpec = { mode: 'dnsrr', ports: [] };
    tx.create('services', db);
    tx.create('tasks', task('w1', 'web', 'n1', { ingress: '10.0.0.6/24', overnet: '10.0.1.3/24' }));
    tx.create('tasks', task('w2', 'web', 'n2', { ingress: '10.0.0.7/24', overnet: '10.0.1.4/24' }));
    // Being stopped: still an endpoint, no longer a healthy backend.
    tx.create(
      'tasks',
      task('w3', 'web', 'n2', { ingress: '10.0.0.8/24', overnet: '10.0.1.5/24' }, 'running', 'shutdown'),
    );
    // On a node that is down, and stopped: neither is an endpoint.
    tx.create('tasks', task('w4', 'web', 'n3', { ingress: '10.0.0.9/24', overnet: '10.0.1.6/24' }));
    tx.create(
      'tasks',
      task('w5', 'web', 'n1', { ingress: '10.0.0.10/24', overnet: '10.0.1.7/24' }, 'failed'),
    );
    tx.create('tasks', task('d1', 'db', 'n2', { other: '10.0.2.3/24' }));
    const local = newService('local', 'local');
    const hostPort = {
      protocol: 'tcp' as const,
      targetPort: 80,
      publishedPort: 8081,
      publishMode: 'host' as const,
    };
    local.spec.endpointSpec = { mode: 'vip', ports: [hostPort] };
    local.endpoint = { spec: local.spec.endpointSpec, ports: [hostPort], virtualIPs: [] };
    tx.create('services', local);
    tx.create('tasks', task('l1', 'local', 'n2', {}));
    tx.create('tasks', task('l2', 'local', 'n2', {}, 'complete', 'shutdown'));
  });
  return store;
}

const view = async (nodeId: string): Promise<NodeNetworkView> => {
  const store = await cluster();
  return store.view((tx) => nodeNetworkView(tx, nodeId));
};

test('macOf is 02:42 and the address bytes', () => {
  assert.equal(macOf('10.0.1.3/24'), '02:42:0a:00:01:03');
  assert.equal(macOf('192.168.255.1'), '02:42:c0:a8:ff:01');
});

test('which networks each node takes part in', async () => {
  const cases: [string, string[], string | undefined][] = [
    ['n1', ['ingress', 'overnet'], '10.0.0.2/24'],
    ['n2', ['ingress', 'other', 'overnet'], '10.0.0.3/24'],
    ['n3', [], undefined],
    ['nope', [], undefined],
  ];
  for (const [nodeId, names, ingressAddress] of cases) {
    const v = await view(nodeId);
    assert.deepEqual(
      v.networks.map((n) => n.name),
      names,
      nodeId,
    );
    assert.equal(v.ingressAddress, ingressAddress, nodeId);
  }
});

test('an overlay network: every live endpoint for forwarding, services for DNS and LB', async () => {
  const v = await view('n1');
  const overnet = v.networks.find((n) => n.name === 'overnet')!;
  assert.deepEqual(
    { ...overnet, endpoints: undefined, services: undefined },
    {
      networkId: 'overnet',
      name: 'overnet',
      vni: 4097,
      subnet: '10.0.1.0/24',
      gateway: '10.0.1.1',
      internal: false,
      attachable: true,
      ingress: false,
      mtu: 1400,
      endpoints: undefined,
      services: undefined,
    },
  );
  assert.deepEqual(overnet.endpoints, [
    {
      kind: 'task',
      taskId: 'w1',
      serviceId: 'web',
      serviceName: 'web',
      nodeId: 'n1',
      nodeAddr: '192.168.1.10',
      address: '10.0.1.3/24',
      mac: '02:42:0a:00:01:03',
    },
    {
      kind: 'task',
      taskId: 'w2',
      serviceId: 'web',
      serviceName: 'web',
      nodeId: 'n2',
      nodeAddr: '192.168.1.11',
      address: '10.0.1.4/24',
      mac: '02:42:0a:00:01:04',
    },
    {
      kind: 'task',
      taskId: 'w3',
      serviceId: 'web',
      serviceName: 'web',
      nodeId: 'n2',
      nodeAddr: '192.168.1.11',
      address: '10.0.1.5/24',
      mac: '02:42:0a:00:01:05',
    },
  ]);
  assert.deepEqual(overnet.services, [
    {
      serviceId: 'web',
      name: 'web',
      endpointMode: 'vip',
      vip: '10.0.1.2',
      aliases: ['www'],
      ports: [{ protocol: 'tcp', targetPort: 80, publishedPort: 8080, publishMode: 'ingress' }],
      backends: [
        { taskId: 'w1', address: '10.0.1.3', nodeId: 'n1', healthy: true },
        { taskId: 'w2', address: '10.0.1.4', nodeId: 'n2', healthy: true },
        { taskId: 'w3', address: '10.0.1.5', nodeId: 'n2', healthy: false },
      ],
    },
  ]);
});

test('the ingress network lists the ready nodes’ sandboxes and the publishing services', async () => {
  const v = await view('n1');
  const ingress = v.networks.find((n) => n.ingress)!;
  assert.deepEqual(
    ingress.endpoints.map((e) => [e.kind, e.nodeId, e.address]),
    [
      ['ingress-sandbox', 'n1', '10.0.0.2/24'],
      ['ingress-sandbox', 'n2', '10.0.0.3/24'],
      ['task', 'n1', '10.0.0.6/24'],
      ['task', 'n2', '10.0.0.7/24'],
      ['task', 'n2', '10.0.0.8/24'],
    ],
  );
  assert.deepEqual(
    ingress.services.map((s) => [s.name, s.vip, s.ports.map((p) => p.publishedPort), s.backends.length]),
    [['web', '10.0.0.5', [8080], 3]],
  );
});

test('a dnsrr service has no VIP; its backends are its task addresses', async () => {
  const v = await view('n2');
  const other = v.networks.find((n) => n.name === 'other')!;
  assert.equal(other.internal, true);
  assert.deepEqual(other.services, [
    {
      serviceId: 'db',
      name: 'db',
      endpointMode: 'dnsrr',
      aliases: [],
      ports: [],
      backends: [{ taskId: 'd1', address: '10.0.2.3', nodeId: 'n2', healthy: true }],
    },
  ]);
});

test('a node lists its live tasks that publish host-mode ports, and no other node does', async () => {
  const n2 = await view('n2');
  assert.deepEqual(n2.hostPorts, [
    { taskId: 'l1', ports: [{ protocol: 'tcp', targetPort: 80, publishedPort: 8081, publishMode: 'host' }] },
  ]);
  assert.equal((await view('n1')).hostPorts, undefined);
});
