// `docker network inspect` on a node: its own task containers on the network (Containers) and the
// nodes taking part in it (Peers); nothing of either for a network the node is not on.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createLocalStore } from '../../store/local-proposer.js';
import { allocatedNetwork, newNode, newService, newTask } from '../../store/test/fixtures.js';
import { localNetworkState } from '../translate/network-local.js';

async function cluster() {
  const store = createLocalStore();
  await store.update((tx) => {
    tx.create('networks', allocatedNetwork('overnet', '10.0.1.0/24', 4097));
    for (const [id, addr] of [
      ['n1', '10.77.0.11'],
      ['n2', '10.77.0.12'],
      ['n3', '10.77.0.13'],
    ] as const) {
      const node = newNode(id);
      node.status = { state: 'ready', message: '', addr };
      node.description = {
        hostname: `host-${id}`,
        platform: { architecture: 'x86_64', os: 'linux' },
        resources: { nanoCPUs: 0, memoryBytes: 0, generic: [] },
        engine: { engineVersion: '20.10', labels: {}, plugins: [] },
      };
      tx.create('nodes', node);
    }
    const web = newService('web', 'web');
    web.spec.taskTemplate.networks = [{ target: 'overnet', aliases: [], driverOpts: {} }];
    tx.create('services', web);
    for (const [id, nodeId, address, container] of [
      ['t1', 'n1', '10.0.1.3/24', 'c1'],
      ['t2', 'n2', '10.0.1.4/24', 'c2'],
    ] as const) {
      const t = newTask(id, 'web', 1, nodeId, 'running');
      t.serviceAnnotations = { name: 'web', labels: {} };
      t.status = {
        ...t.status,
        state: 'running',
        containerStatus: { containerId: container, pid: 7, exitCode: 0 },
      };
      t.networksAttachments = [{ networkId: 'overnet', addresses: [address], aliases: [] }];
      tx.create('tasks', t);
    }
  });
  return store;
}

test('a node shows its own task containers on the network and the peers taking part', async () => {
  const store = await cluster();
  const state = store.view((tx) => localNetworkState(tx, 'overnet', 'n1'));
  assert.deepEqual(state, {
    Containers: {
      c1: {
        Name: 'web.1.t1',
        EndpointID: '',
        MacAddress: '02:42:0a:00:01:03',
        IPv4Address: '10.0.1.3/24',
        IPv6Address: '',
      },
    },
    Peers: [
      { Name: 'host-n1', IP: '10.77.0.11' },
      { Name: 'host-n2', IP: '10.77.0.12' },
    ],
  });
});

test('a node not on the network, or not in a swarm, shows neither', async () => {
  const store = await cluster();
  assert.deepEqual(
    store.view((tx) => localNetworkState(tx, 'overnet', 'n3')),
    { Containers: {} },
  );
  assert.deepEqual(
    store.view((tx) => localNetworkState(tx, 'overnet', undefined)),
    { Containers: {} },
  );
});
