// A real agent session against a real dispatcher over loopback gRPC: full set, incremental
// changes, status reports (forward only), heartbeats and node state.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { assignedTask, clusterStore, startAgent, status, TestManager, waitFor } from './harness.js';

test('a node gets its full set, then changes; its reports reach the store, moving forward only', async (t) => {
  const store = await clusterStore(5000, ['n1', 'n2']);
  await store.update((tx) => {
    tx.create('tasks', assignedTask('t1', 'n1'));
    tx.create('tasks', assignedTask('t2', 'n2'));
    tx.create('tasks', assignedTask('t3', undefined, 'pending'));
    tx.create('tasks', assignedTask('t9', 'n1', 'pending'));
  });
  const m = await TestManager.start(store);
  m.lead();
  const { agent, view } = startAgent('n1', [m.addr]);
  t.after(async () => {
    await agent.stop();
    await m.shutdown();
  });

  await waitFor(() => view.changes.length > 0, 'the full set');
  assert.equal(view.changes[0]?.full, true);
  assert.deepEqual([...view.tasks.keys()], ['t1']);
  assert.equal(agent.nodeId, 'n1');
  assert.equal(agent.session?.heartbeatPeriodMs, 5000);
  const node = store.view((tx) => tx.get('nodes', 'n1'));
  assert.equal(node?.status.state, 'ready');
  assert.equal(node?.status.addr, '127.0.0.1');
  assert.equal(node?.description?.hostname, 'agent-n1');

  // A task assigned to the node arrives incrementally.
  await store.update((tx) => tx.create('tasks', assignedTask('t4', 'n1')));
  await waitFor(() => view.tasks.has('t4'), 'the new task');
  assert.equal(view.changes.at(-1)?.full, false);

  // The agent reports running: the store shows it, stamped with the node.
  agent.reportStatus([{ taskId: 't1', status: status('running', 'started') }]);
  const running = await waitFor(() => {
    const t1 = store.view((tx) => tx.get('tasks', 't1'));
    return t1?.status.state === 'running' ? t1 : undefined;
  }, 't1 running in the store');
  assert.equal(running.status.appliedBy, 'n1');
  assert.equal(running.status.message, 'started');

  // Backwards moves and reports on another node's task are ignored.
  agent.reportStatus([
    { taskId: 't1', status: status('starting') },
    { taskId: 't2', status: status('running') },
    { taskId: 'ghost', status: status('running') },
  ]);
  await waitFor(() => agent.pendingReports === 0, 'the reports to be accepted');
  assert.equal(store.view((tx) => tx.get('tasks', 't1'))?.status.state, 'running');
  assert.equal(store.view((tx) => tx.get('tasks', 't2'))?.status.state, 'assigned');

  // The agent's own status change was not echoed back: the next message is the next real change.
  const seen = view.changes.length;
  await store.update((tx) => {
    const t1 = tx.get('tasks', 't1');
    if (t1 !== undefined) tx.update('tasks', { ...t1, desiredState: 'shutdown' });
  });
  await waitFor(() => view.tasks.get('t1')?.desiredState === 'shutdown', 'the desired-state change');
  assert.equal(view.changes.length, seen + 1);

  // Deleted tasks are removed; a task moved to another node leaves this node's set.
  await store.update((tx) => {
    tx.delete('tasks', 't4');
    const t9 = tx.get('tasks', 't9');
    if (t9 !== undefined)
      tx.update('tasks', { ...t9, nodeId: 'n2', status: { ...t9.status, state: 'assigned' } });
  });
  await waitFor(() => !view.tasks.has('t4'), 'the removal');
  assert.deepEqual(view.changes.at(-1)?.removed, ['t4']);
  assert.deepEqual([...view.tasks.keys()], ['t1']);
});

test('a node whose heartbeats stop is marked down; when it comes back it is ready again', async (t) => {
  const store = await clusterStore(50, ['n1']);
  const m = await TestManager.start(store, { heartbeatGraceExtraMs: 20 });
  m.lead();
  t.after(() => m.shutdown());

  const first = startAgent('n1', [m.addr]);
  t.after(() => first.agent.stop());
  const session = await waitFor(() => first.agent.session, 'the session');
  assert.equal(session.heartbeatPeriodMs, 50);
  assert.equal(store.view((tx) => tx.get('nodes', 'n1'))?.status.state, 'ready');
  // Several periods pass with heartbeats flowing: the node stays ready.
  await new Promise((r) => setTimeout(r, 300));
  assert.equal(store.view((tx) => tx.get('nodes', 'n1'))?.status.state, 'ready');

  await first.agent.stop();
  const down = await waitFor(
    () => {
      const n = store.view((tx) => tx.get('nodes', 'n1'));
      return n?.status.state === 'down' ? n : undefined;
    },
    'n1 down',
    3000,
  );
  assert.equal(down.status.message, 'heartbeat failure');
  assert.equal(m.dispatcher.sessionCount, 0);

  const again = startAgent('n1', [m.addr]);
  t.after(() => again.agent.stop());
  await waitFor(() => store.view((tx) => tx.get('nodes', 'n1'))?.status.state === 'ready', 'n1 ready again');
});

test('a new leader gives nodes that were ready one grace period to reconnect', async (t) => {
  const store = await clusterStore(50, ['n1', 'n2']);
  await store.update((tx) => {
    for (const id of ['n1', 'n2']) {
      const n = tx.get('nodes', id);
      if (n !== undefined) tx.update('nodes', { ...n, status: { ...n.status, state: 'ready' } });
    }
  });
  const m = await TestManager.start(store, { heartbeatGraceExtraMs: 20 });
  m.lead();
  const { agent } = startAgent('n1', [m.addr]);
  t.after(async () => {
    await agent.stop();
    await m.shutdown();
  });
  await waitFor(() => store.view((tx) => tx.get('nodes', 'n2'))?.status.state === 'down', 'n2 down', 3000);
  assert.equal(store.view((tx) => tx.get('nodes', 'n1'))?.status.state, 'ready');
});
