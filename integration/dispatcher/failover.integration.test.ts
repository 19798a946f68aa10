// Agents and leadership: a follower sends agents to the leader, and when the leader's server
// goes away the agents fail over to the next dispatcher and carry on there.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { assignedTask, clusterStore, startAgent, status, TestManager, waitFor } from './harness.js';

test('a follower redirects to the leader; the agent fails over when the leader goes away', async (t) => {
  const store = await clusterStore(5000, ['n1']);
  await store.update((tx) => tx.create('tasks', assignedTask('t1', 'n1')));
  let leaderAddr: string | undefined;
  const managers = (): { nodeId: string; addr: string }[] => [
    { nodeId: 'mA', addr: a.addr },
    { nodeId: 'mB', addr: b.addr },
  ];
  const a = await TestManager.start(store, { managers, leaderAddr: () => leaderAddr });
  const b = await TestManager.start(store, { managers, leaderAddr: () => leaderAddr });
  leaderAddr = a.addr;
  a.lead();

  // The agent only knows the follower at first.
  const { agent, view } = startAgent('n1', [b.addr]);
  t.after(async () => {
    await agent.stop();
    await a.shutdown();
    await b.shutdown();
  });
  await waitFor(() => agent.session?.manager === a.addr, 'a session with the leader');
  assert.deepEqual([...agent.managers].sort(), [a.addr, b.addr].sort());
  assert.deepEqual(
    agent.session?.managers.map((p) => p.nodeId),
    ['mA', 'mB'],
  );
  await waitFor(() => view.tasks.has('t1'), 'the full set from the leader');

  // The leader's server dies; b becomes the leader.
  await a.shutdown();
  leaderAddr = b.addr;
  b.lead();
  await waitFor(() => agent.session?.manager === b.addr, 'a session with the new leader');
  await waitFor(() => view.fullSets >= 2, 'a full set from the new leader');

  agent.reportStatus([{ taskId: 't1', status: status('running') }]);
  await waitFor(() => store.view((tx) => tx.get('tasks', 't1'))?.status.state === 'running', 't1 running');
  await store.update((tx) => tx.create('tasks', assignedTask('t2', 'n1')));
  await waitFor(() => view.tasks.has('t2'), 'an incremental change from the new leader');
});

test('reports made while no manager is reachable are delivered after reconnecting', async (t) => {
  const store = await clusterStore(5000, ['n1']);
  await store.update((tx) => tx.create('tasks', assignedTask('t1', 'n1')));
  const m = await TestManager.start(store);
  m.lead();
  const { agent, view } = startAgent('n1', [m.addr]);
  t.after(async () => {
    await agent.stop();
    await m.shutdown();
  });
  await waitFor(() => view.tasks.has('t1'), 'the full set');

  await m.stepDown(); // leadership lost: sessions end, writes are refused
  await waitFor(() => agent.session === undefined, 'the session to end');
  agent.reportStatus([{ taskId: 't1', status: status('starting') }]);
  agent.reportStatus([{ taskId: 't1', status: status('running') }]);
  assert.equal(agent.pendingReports, 1);
  m.lead();
  await waitFor(() => store.view((tx) => tx.get('tasks', 't1'))?.status.state === 'running', 't1 running');
  await waitFor(() => agent.pendingReports === 0, 'the queue to drain');
});

test('a removed node is refused and its session stops', async (t) => {
  const store = await clusterStore(5000, []);
  const m = await TestManager.start(store);
  m.lead();
  t.after(() => m.shutdown());
  let removed: Error | undefined;
  const { agent } = startAgent('gone', [m.addr], { onRemoved: (e) => (removed = e) });
  t.after(() => agent.stop());
  const e = await waitFor(() => removed, 'the refusal');
  assert.match(e.message, /no longer part of the swarm/);
  assert.equal(agent.session, undefined);
});

test('removing a node from the store ends its open session', async (t) => {
  const store = await clusterStore(5000, ['n1']);
  const m = await TestManager.start(store);
  m.lead();
  t.after(() => m.shutdown());
  let removed = false;
  const { agent } = startAgent('n1', [m.addr], { onRemoved: () => (removed = true) });
  t.after(() => agent.stop());
  await waitFor(() => agent.session !== undefined, 'the session');
  await store.update((tx) => tx.delete('nodes', 'n1'));
  await waitFor(() => removed, 'the agent to hear it was removed');
});
