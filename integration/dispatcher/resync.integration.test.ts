// When the dispatcher's store watch overflows, every agent gets a full set again; secrets
// and configs the tasks need travel with them and survive the wire's checks.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { NewObject } from '../../api/objects/index.js';
import { newConfig, newSecret } from '../../manager/store/test/fixtures.js';
import { assignedTask, clusterStore, startAgent, TestManager, waitFor } from './harness.js';

function withSecret(id: string, nodeId: string): NewObject<'tasks'> {
  const t = assignedTask(id, nodeId);
  const file = { name: 'pw', uid: '0', gid: '0', mode: 0o400 };
  return {
    ...t,
    spec: {
      ...t.spec,
      containerSpec: {
        ...t.spec.containerSpec,
        secrets: [{ secretId: 'sec1', secretName: 'pw', file }],
        configs: [{ configId: 'cfg1', configName: 'conf', file }],
      },
    },
  };
}

test('a watch overflow resynchronizes agents with a full set, dependencies included', async (t) => {
  const store = await clusterStore(5000, ['n1']);
  await store.update((tx) => {
    tx.create('secrets', newSecret('sec1', 'pw'));
    tx.create('configs', newConfig('cfg1', 'conf'));
    tx.create('tasks', withSecret('t0', 'n1'));
  });
  const m = await TestManager.start(store, { watchBufferSize: 8 });
  m.lead();
  const { agent, view } = startAgent('n1', [m.addr]);
  t.after(async () => {
    await agent.stop();
    await m.shutdown();
  });
  await waitFor(() => view.fullSets === 1, 'the first full set');
  assert.deepEqual([...view.secrets], ['sec1']);
  assert.equal(view.changes[0]?.configs[0]?.id, 'cfg1');
  assert.equal(Buffer.from(view.changes[0]?.secrets[0]?.spec.data ?? '', 'base64').toString(), 's3cret');

  // One transaction with more changes than the watch holds.
  await store.update((tx) => {
    for (let i = 1; i <= 20; i++) tx.create('tasks', withSecret(`t${i}`, 'n1'));
  });
  await waitFor(() => view.fullSets === 2, 'a second full set');
  assert.equal(view.tasks.size, 21);
  assert.equal(agent.session?.manager, m.addr, 'the session itself survives');

  // Routing goes on with the new watch.
  await store.update((tx) => tx.delete('tasks', 't0'));
  await waitFor(() => !view.tasks.has('t0'), 'an incremental removal after the resync');
});
