// 200 agents connecting at once to one dispatcher: every one gets its set and reports.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { assignedTask, clusterStore, startAgent, status, TestManager, waitFor } from './harness.js';

const NODES = 200;

test(`${NODES} nodes connecting at once all get their assignments and report`, async (t) => {
  const ids = Array.from({ length: NODES }, (_, i) => `node${String(i).padStart(3, '0')}`);
  const store = await clusterStore(5000, ids);
  await store.update((tx) => {
    for (const id of ids) tx.create('tasks', assignedTask(`task-${id}`, id));
  });
  const m = await TestManager.start(store);
  m.lead();
  const agents = ids.map((id) => ({ id, ...startAgent(id, [m.addr]) }));
  t.after(async () => {
    await Promise.all(agents.map((a) => a.agent.stop()));
    await m.shutdown();
  });

  await waitFor(() => agents.every((a) => a.view.tasks.has(`task-${a.id}`)), 'every full set', 20_000);
  for (const a of agents) assert.deepEqual([...a.view.tasks.keys()], [`task-${a.id}`]);
  assert.equal(m.dispatcher.sessionCount, NODES);

  for (const a of agents) a.agent.reportStatus([{ taskId: `task-${a.id}`, status: status('running') }]);
  await waitFor(
    () => store.view((tx) => tx.list('tasks').every((task) => task.status.state === 'running')),
    'every task running',
    20_000,
  );
  const ready = store.view((tx) => tx.list('nodes').filter((n) => n.status.state === 'ready').length);
  assert.equal(ready, NODES);
});
