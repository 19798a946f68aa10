// The cluster's data path port (`swarm init --data-path-port`) reaches every node in each
// network's header, in the views kept from the store's changes as in the reference read whole;
// Docker's 4789 is left out, so a view of a default swarm is unchanged.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createLocalStore, type ChangeEvent } from '../../store/index.js';
import { allocatedNetwork, newCluster, newNode, newTask } from '../../store/test/fixtures.js';
import { ClusterNetworkViews } from '../../network/cluster-network-views.js';
import { affectsNetworkViews, NetworkViews } from '../network-views.js';

async function swarm(port: number) {
  const store = createLocalStore();
  await store.update((tx) => {
    const c = newCluster('c1');
    c.dataPathPort = port;
    tx.create('clusters', c);
    tx.create('networks', allocatedNetwork('overnet', '10.0.1.0/24', 4097));
    tx.create('nodes', newNode('n1'));
    const t = newTask('t1', 's1', 1, 'n1');
    t.status = { ...t.status, state: 'running' };
    t.networksAttachments = [{ networkId: 'overnet', addresses: ['10.0.1.3/24'], aliases: [] }];
    tx.create('tasks', t);
  });
  return store;
}

test('a cluster on port 7789: every network header names it, in the index and the reference', async () => {
  const store = await swarm(7789);
  const views = new NetworkViews(store);
  const kept = views.of('n1').view;
  const reference = store.view((tx) => ClusterNetworkViews.read(tx)).forNode('n1');
  assert.equal(kept.networks[0]?.dataPathPort, 7789);
  assert.deepEqual(kept, reference);
});

test("Docker's 4789 is left out of the view", async () => {
  const store = await swarm(4789);
  const view = new NetworkViews(store).of('n1').view;
  assert.equal(view.networks.length, 1);
  assert.equal(Object.hasOwn(view.networks[0]!, 'dataPathPort'), false);
});

test('a new port in the cluster patches every network (changes fed as the dispatcher feeds them)', async () => {
  const store = await swarm(4789);
  const views = new NetworkViews(store);
  const before = views.of('n1');
  const old = store.view((tx) => tx.list('clusters')[0]!);
  const next = await store.update((tx) => tx.update('clusters', { ...old, dataPathPort: 5000 }));
  const change: ChangeEvent = { action: 'update', table: 'clusters', oldObject: old, object: next };
  // Other cluster changes (tokens, removed nodes) do not reach the views.
  assert.equal(affectsNetworkViews({ ...change, object: { ...old, subnetSize: 16 } }), false);
  assert.equal(affectsNetworkViews(change), true);
  const changes = [change];
  views.apply(changes);
  const after = views.of('n1');
  assert.notEqual(after.digest, before.digest);
  assert.equal(after.view.networks[0]?.dataPathPort, 5000);
  const update = views.update(after, before.networkDigests);
  const entry = update.networks[0];
  assert.ok(entry !== undefined && 'patch' in entry, 'sent as a patch of the header');
  assert.equal(entry.patch.header.dataPathPort, 5000);
});
