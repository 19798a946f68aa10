// One object a node cannot take (a task spec larger than a node accepts, a secret too large)
// never wedges the node's session: over real gRPC, the node gets every other assignment in its
// one session, the bad task is rejected in the store with a reason a user can act on (once),
// and once it is gone the node's session goes on as usual. A set larger than one message
// arrives whole, in several.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import pino from 'pino';
import { ClusterNetworkViews } from '../../manager/network/cluster-network-views.js';
import type { MemoryStore } from '../../manager/store/index.js';
import type { NewObject } from '../../api/objects/index.js';
import { allocatedNetwork, newSecret } from '../../manager/store/test/fixtures.js';
import { UNDELIVERABLE_MESSAGE } from '../../manager/dispatcher/task-rejections.js';
import { MAX_OBJECT_BYTES } from '../../api/wire/limits.js';
import { assignedTask, clusterStore, startAgent, TestManager, waitFor } from './harness.js';

/** A task with a label of `bytes` characters (a service spec that slipped past the API). */
function bigTask(id: string, nodeId: string, bytes: number): NewObject<'tasks'> {
  const t = assignedTask(id, nodeId);
  return {
    ...t,
    spec: { ...t.spec, containerSpec: { ...t.spec.containerSpec, labels: { big: 'x'.repeat(bytes) } } },
  };
}

const stateOf = (store: MemoryStore, id: string): string | undefined =>
  store.view((tx) => tx.get('tasks', id))?.status.state;

test('a task too large for a node is rejected with the reason; the node gets the rest in one session', async (t) => {
  const store = await clusterStore(5000, ['n1']);
  const tooBig = 2_500_000;
  await store.update((tx) => {
    tx.create('tasks', assignedTask('t1', 'n1'));
    tx.create('tasks', bigTask('tbig', 'n1', tooBig));
    tx.create('tasks', assignedTask('t2', 'n1'));
  });
  const m = await TestManager.start(store);
  m.lead();
  const sessions = new Set<string>();
  const { agent, view } = startAgent('n1', [m.addr], {
    onSession: (info) => {
      if (info !== undefined) sessions.add(info.sessionId);
    },
  });
  t.after(async () => {
    await agent.stop();
    await m.shutdown();
  });

  await waitFor(() => view.tasks.has('t1') && view.tasks.has('t2'), 'the normal tasks');
  assert.equal(view.tasks.has('tbig'), false);
  const rejected = await waitFor(() => {
    const task = store.view((tx) => tx.get('tasks', 'tbig'));
    return task?.status.state === 'rejected' ? task : undefined;
  }, 'the large task rejected');
  assert.equal(rejected.status.message, UNDELIVERABLE_MESSAGE);
  assert.match(rejected.status.err ?? '', /^task is 2\.5 MB, more than the 2 MiB a node can receive: shrink/);
  const rejectedAt = rejected.meta.version;

  // The session goes on: new tasks arrive in it, including after another too-large one.
  await store.update((tx) => {
    tx.create('tasks', bigTask('tbig2', 'n1', MAX_OBJECT_BYTES + 1));
    tx.create('tasks', assignedTask('t3', 'n1'));
  });
  await waitFor(() => view.tasks.has('t3'), 'a task created after the large one');
  await waitFor(() => stateOf(store, 'tbig2') === 'rejected', 'the second large task rejected');
  assert.equal(view.tasks.has('tbig2'), false);

  // A task whose secret a node cannot take is rejected too, naming the secret.
  await store.update((tx) => {
    const s = newSecret('sbig', 'huge-secret');
    tx.create('secrets', { ...s, spec: { ...s.spec, data: 'A'.repeat(MAX_OBJECT_BYTES) } });
    const ts = assignedTask('tsecret', 'n1');
    ts.spec.containerSpec.secrets = [
      { secretId: 'sbig', secretName: 'huge-secret', file: { name: 'x', uid: '0', gid: '0', mode: 0o444 } },
    ];
    tx.create('tasks', ts);
  });
  const withSecret = await waitFor(() => {
    const task = store.view((tx) => tx.get('tasks', 'tsecret'));
    return task?.status.state === 'rejected' ? task : undefined;
  }, 'the task of the large secret rejected');
  assert.match(withSecret.status.err ?? '', /^secret "huge-secret" \(sbig\) is 2\.1 MB, more than the 2 MiB/);
  assert.equal(view.tasks.has('tsecret'), false);
  assert.equal(view.secrets.has('sbig'), false);

  // A full set again (the node reconnects): the rejected task is left out, not written again.
  const fullSets = view.fullSets;
  await agent.stop();
  const again = startAgent('n1', [m.addr], {
    onSession: (info) => {
      if (info !== undefined) sessions.add(info.sessionId);
    },
  });
  t.after(() => again.agent.stop());
  await waitFor(() => again.view.tasks.has('t3'), 'the full set of the new session');
  // Rejected, the task no longer needs its secret: it is sent (finished) like any stopped task.
  assert.deepEqual([...again.view.tasks.keys()].sort(), ['t1', 't2', 't3', 'tsecret']);
  assert.equal(again.view.tasks.get('tsecret')?.status.state, 'rejected');
  assert.equal(again.view.secrets.has('sbig'), false);
  assert.equal(fullSets, 1, 'one full set in the first session: it never reconnected');
  assert.equal(store.view((tx) => tx.get('tasks', 'tbig'))?.meta.version, rejectedAt, 'written once');

  // The bad tasks go (their service was deleted; the reaper deletes stopped tasks): all normal.
  await store.update((tx) => {
    for (const id of ['tbig', 'tbig2', 'tsecret']) tx.delete('tasks', id);
    tx.delete('secrets', 'sbig');
    tx.create('tasks', assignedTask('t4', 'n1'));
  });
  await waitFor(() => again.view.tasks.has('t4'), 'a task after the bad ones were deleted');
  assert.equal(sessions.size, 2, `sessions opened: ${sessions.size} (one per agent start)`);
  assert.equal(again.view.fullSets, 1);
  assert.equal(m.dispatcher.sessionCount, 1);
});

test('a set larger than one message arrives whole, in several messages, as one change', async (t) => {
  const store = await clusterStore(5000, ['n1']);
  const ids = Array.from({ length: 12 }, (_, i) => `t${String(i).padStart(2, '0')}`);
  await store.update((tx) => {
    for (const id of ids) tx.create('tasks', bigTask(id, 'n1', 40_000));
  });
  // Messages of at most ~100 kB of objects; the agent receives at most 256 kB.
  const m = await TestManager.start(store, {
    messageLimits: { maxObjectBytes: 100_000, maxEntries: 1000, maxViewBytes: 1_000_000 },
  });
  m.lead();
  const sessions = new Set<string>();
  const { agent, view } = startAgent('n1', [m.addr], {
    channelOptions: {
      'grpc.primary_user_agent': 'shoal-test-node/n1',
      'grpc.max_receive_message_length': 256 * 1024,
    },
    onSession: (info) => {
      if (info !== undefined) sessions.add(info.sessionId);
    },
  });
  t.after(async () => {
    await agent.stop();
    await m.shutdown();
  });
  await waitFor(() => view.changes.length > 0, 'the full set');
  assert.equal(view.changes[0]?.full, true);
  assert.deepEqual(
    view.changes[0]?.updated.map((task) => task.id),
    ids,
  );

  // An incremental change larger than one message arrives whole too.
  await store.update((tx) => {
    for (const id of ids) tx.create('tasks', bigTask(`${id}b`, 'n1', 40_000));
  });
  await waitFor(() => view.tasks.size === 2 * ids.length, 'the incremental change');
  assert.equal(view.changes.length, 2);
  assert.equal(view.changes[1]?.full, false);
  assert.equal(sessions.size, 1, 'no reconnect');
  assert.equal(stateOf(store, 't00'), 'assigned');
});

test('a network view too large for a node is left out, logged once; tasks flow; it comes once it fits', async (t) => {
  const store = await clusterStore(5000, ['n1']);
  const ids = Array.from({ length: 30 }, (_, i) => `a${String(i).padStart(2, '0')}`);
  await store.update((tx) => {
    tx.create('networks', allocatedNetwork('overnet', '10.0.1.0/24', 4097));
    ids.forEach((id, i) => {
      const task = assignedTask(id, 'n1', 'running');
      tx.create('tasks', {
        ...task,
        networksAttachments: [{ networkId: 'overnet', addresses: [`10.0.1.${i + 3}/24`], aliases: [] }],
      });
    });
  });
  const lines: string[] = [];
  const logger = pino({ level: 'warn' }, { write: (line: string) => lines.push(line) });
  const m = await TestManager.start(store, {
    logger,
    messageLimits: { maxObjectBytes: 1_000_000, maxEntries: 1000, maxViewBytes: 2000 },
  });
  m.lead();
  const { agent, view } = startAgent('n1', [m.addr]);
  t.after(async () => {
    await agent.stop();
    await m.shutdown();
  });
  await waitFor(() => view.tasks.size === ids.length, 'the tasks');
  assert.equal(view.network, undefined);
  const refusals = (): string[] => lines.filter((l) => l.includes('network view cannot be sent'));
  await waitFor(() => refusals().length === 1, 'the refusal logged');
  assert.match(refusals()[0] ?? '', /network overnet \(overnet\) alone is \d/);

  // More messages for the node, the same view: not logged again; the tasks keep flowing.
  await store.update((tx) => {
    const a = tx.get('tasks', 'a00');
    if (a !== undefined) tx.update('tasks', { ...a, desiredState: 'shutdown' });
  });
  await waitFor(() => view.tasks.get('a00')?.desiredState === 'shutdown', 'the change');
  assert.equal(refusals().length, 1);

  // Once the view fits, the node gets it, equal to the store's.
  await store.update((tx) => {
    for (const id of ids.slice(3)) tx.delete('tasks', id);
  });
  await waitFor(() => view.network !== undefined, 'the view once it fits');
  const want = store.view((tx) => ClusterNetworkViews.read(tx).forNode('n1'));
  assert.deepEqual(view.network, want);
});
