// Network views over real sessions: each agent's view, rebuilt from a full copy and then
// updates (keep, patch, whole), stays equal to the view the store gives its node while tasks
// on an overlay come, go and stop being healthy.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ClusterNetworkViews } from '../../manager/network/cluster-network-views.js';
import type { TaskState } from '../../api/objects/index.js';
import { allocatedNetwork } from '../../manager/store/test/fixtures.js';
import { assignedTask, clusterStore, startAgent, TestManager, waitFor } from './harness.js';

const NODES = ['n1', 'n2', 'n3'];

test('agents rebuild the store’s network view from updates as tasks come and go', async (t) => {
  const store = await clusterStore(5000, NODES);
  await store.update((tx) => {
    tx.create('networks', allocatedNetwork('overnet', '10.0.1.0/24', 4097));
    tx.create('networks', allocatedNetwork('backend', '10.0.2.0/24', 4098));
  });
  let next = 3;
  const addTask = (id: string, nodeId: string, network = 'overnet', state: TaskState = 'running') =>
    store.update((tx) => {
      const task = assignedTask(id, nodeId);
      tx.create('tasks', {
        ...task,
        status: { ...task.status, state },
        networksAttachments: [
          {
            networkId: network,
            addresses: [`10.0.${network === 'overnet' ? 1 : 2}.${next++}/24`],
            aliases: [],
          },
        ],
      });
    });
  const setState = (id: string, state: TaskState, desired?: TaskState) =>
    store.update((tx) => {
      const task = tx.get('tasks', id);
      if (task === undefined) throw new Error(`no task ${id}`);
      tx.update('tasks', {
        ...task,
        status: { ...task.status, state },
        desiredState: desired ?? task.desiredState,
      });
    });
  await addTask('a1', 'n1');
  await addTask('b1', 'n1', 'backend');

  const m = await TestManager.start(store);
  m.lead();
  const agents = NODES.map((id) => ({ id, ...startAgent(id, [m.addr]) }));
  t.after(async () => {
    for (const a of agents) await a.agent.stop();
    await m.shutdown();
  });
  const agreed = async (what: string): Promise<void> => {
    for (const a of agents) {
      await waitFor(() => {
        const want = store.view((tx) => ClusterNetworkViews.read(tx).forNode(a.id));
        return JSON.stringify(a.view.network) === JSON.stringify(want);
      }, `${a.id}'s view after ${what}`);
    }
  };
  await agreed('the full sets');
  assert.deepEqual(
    agents[0]?.view.network?.networks.map((n) => n.name),
    ['backend', 'overnet'],
  );

  await addTask('a2', 'n2');
  await agreed('a task on n2 (n2 joins overnet, n1 patches it)');
  await addTask('a3', 'n3');
  await addTask('a4', 'n3', 'overnet', 'starting');
  await agreed('two tasks on n3');
  await setState('a4', 'running');
  await agreed('a backend turning healthy');
  await setState('a2', 'running', 'shutdown');
  await agreed('a task asked to stop');
  await setState('a2', 'shutdown', 'shutdown');
  await agreed('n2 leaving overnet');
  await store.update((tx) => tx.delete('tasks', 'b1', tx.get('tasks', 'b1')?.meta.version ?? 0));
  await agreed('n1 leaving backend');
  for (const a of agents) assert.equal(a.view.fullSets, 1, `${a.id} never needed a second full set`);
});
