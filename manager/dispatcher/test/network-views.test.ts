import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createLocalStore } from '../../store/index.js';
import type { ChangeEvent } from '../../store/index.js';
import type { NewObject, ObjectOf, TableName, TaskState } from '../../../api/objects/index.js';
import {
  allocatedNetwork,
  newNetwork,
  newNode,
  newSecret,
  newService,
  newTask,
} from '../../store/test/fixtures.js';
import { affectsNetworkViews, NetworkViews } from '../network-views.js';
import { NETWORK_STEPS_KEPT } from '../../network/network-index.js';
import { applyViewUpdate } from '../../../api/network/network-view-update.js';

const META = { version: 1, createdAt: '2024-01-01T00:00:00.000Z', updatedAt: '2024-01-01T00:00:00.000Z' };
const stored = <K extends TableName>(o: NewObject<K>): ObjectOf<K> => ({ ...o, meta: META }) as ObjectOf<K>;

function task(
  state: TaskState,
  opts: { nodeId?: string; desired?: TaskState; address?: string; message?: string } = {},
) {
  const t = newTask(
    't1',
    's1',
    1,
    opts.nodeId === '' ? undefined : (opts.nodeId ?? 'n1'),
    opts.desired ?? 'running',
  );
  return stored<'tasks'>({
    ...t,
    status: { ...t.status, state, message: opts.message ?? state },
    networksAttachments:
      opts.address === undefined ? [] : [{ networkId: 'overnet', addresses: [opts.address], aliases: [] }],
  });
}

const update = <K extends TableName>(table: K, oldObject: ObjectOf<K>, object: ObjectOf<K>): ChangeEvent =>
  ({ action: 'update', table, oldObject, object }) as ChangeEvent;

test('which changes can alter a network view', () => {
  const node = stored<'nodes'>(newNode('n1'));
  const a = '10.0.1.3/24';
  const cases: [string, ChangeEvent, boolean][] = [
    [
      'a task with no network walks accepted → preparing',
      update('tasks', task('accepted'), task('preparing')),
      false,
    ],
    ['a task with no network starts running', update('tasks', task('starting'), task('running')), false],
    [
      'a task with no network is assigned (host ports follow it)',
      update('tasks', task('pending', { nodeId: '' }), task('assigned')),
      true,
    ],
    ['a task with no network stops', update('tasks', task('running'), task('complete')), true],
    [
      'an unassigned task is created',
      { action: 'create', table: 'tasks', object: task('new', { nodeId: '' }) },
      false,
    ],
    [
      'an attached task starts running (a new backend)',
      update('tasks', task('starting', { address: a }), task('running', { address: a })),
      true,
    ],
    [
      'an attached task is asked to stop (no longer healthy)',
      update('tasks', task('running', { address: a }), task('running', { address: a, desired: 'shutdown' })),
      true,
    ],
    [
      'an attached task’s message changes',
      update('tasks', task('running', { address: a }), task('running', { address: a, message: 'still up' })),
      false,
    ],
    [
      'an attached task walks preparing → ready',
      update('tasks', task('preparing', { address: a }), task('ready', { address: a })),
      false,
    ],
    [
      'an attached task fails',
      update('tasks', task('running', { address: a }), task('failed', { address: a })),
      true,
    ],
    [
      'a dead task is deleted',
      { action: 'delete', table: 'tasks', object: task('failed', { address: a }) },
      false,
    ],
    [
      'a live attached task is deleted',
      { action: 'delete', table: 'tasks', object: task('running', { address: a }) },
      true,
    ],
    [
      'a node’s description changes',
      update('nodes', node, { ...node, description: { ...node.description!, hostname: 'renamed' } }),
      false,
    ],
    ['a node goes down', update('nodes', node, { ...node, status: { ...node.status, state: 'down' } }), true],
    [
      'a node’s address changes',
      update('nodes', node, { ...node, status: { ...node.status, addr: '10.1.0.9' } }),
      true,
    ],
    [
      'a node gets its ingress address',
      update('nodes', node, { ...node, attachments: [{ networkId: 'ingress', addresses: ['10.0.0.2/24'] }] }),
      true,
    ],
    ['a node is created', { action: 'create', table: 'nodes', object: node }, true],
    [
      'a network is created',
      { action: 'create', table: 'networks', object: stored<'networks'>(newNetwork('x', 'x')) },
      true,
    ],
    [
      'a service is updated',
      update('services', stored<'services'>(newService('s', 's')), stored<'services'>(newService('s', 's'))),
      true,
    ],
    [
      'a secret is created',
      { action: 'create', table: 'secrets', object: stored<'secrets'>(newSecret('sec', 'sec')) },
      false,
    ],
  ];
  for (const [what, change, expected] of cases) assert.equal(affectsNetworkViews(change), expected, what);
});

test('views are read once and kept until invalidated; the digest follows the view', async () => {
  const store = createLocalStore();
  await store.update((tx) => {
    tx.create('networks', allocatedNetwork('overnet', '10.0.1.0/24', 4097));
    tx.create('nodes', newNode('n1'));
    tx.create('nodes', newNode('n2'));
    const t = newTask('t1', 's1', 1, 'n1');
    t.status = { ...t.status, state: 'running' };
    t.networksAttachments = [{ networkId: 'overnet', addresses: ['10.0.1.3/24'], aliases: [] }];
    tx.create('tasks', t);
  });
  const views = new NetworkViews(store);
  const first = views.of('n1');
  assert.deepEqual(
    first.view.networks.map((n) => n.name),
    ['overnet'],
  );
  assert.deepEqual(views.of('n2').view.networks, [], 'n2 runs nothing on overnet');

  await store.update((tx) => {
    const t = newTask('t2', 's1', 2, 'n2');
    t.status = { ...t.status, state: 'running' };
    t.networksAttachments = [{ networkId: 'overnet', addresses: ['10.0.1.4/24'], aliases: [] }];
    tx.create('tasks', t);
  });
  assert.equal(views.of('n1').digest, first.digest, 'not read again before invalidate()');
  views.invalidate();
  const second = views.of('n1');
  assert.notEqual(second.digest, first.digest, 'a new peer changes n1’s view');
  assert.equal(second.view.networks[0]?.endpoints.length, 2);
  assert.deepEqual(
    views.of('n2').view.networks.map((n) => n.name),
    ['overnet'],
  );

  views.invalidate();
  assert.equal(views.of('n1').digest, second.digest, 'an equal view has an equal digest');
  assert.deepEqual(views.of('gone'), {
    view: { nodeId: 'gone', networks: [] },
    digest: '',
    networkDigests: new Map(),
  });
});

test('an update keeps what the node holds, patches from the previous read, and sends the rest whole', async () => {
  const store = createLocalStore();
  const running = (id: string, nodeId: string, network: string, address: string) => {
    const t = newTask(id, 's1', 1, nodeId);
    t.status = { ...t.status, state: 'running' };
    t.networksAttachments = [{ networkId: network, addresses: [address], aliases: [] }];
    return t;
  };
  await store.update((tx) => {
    tx.create('networks', allocatedNetwork('a', '10.0.1.0/24', 4097));
    tx.create('networks', allocatedNetwork('b', '10.0.1.0/24', 4098));
    tx.create('nodes', newNode('n1'));
    tx.create('tasks', running('t1', 'n1', 'a', '10.0.1.3/24'));
    tx.create('tasks', running('t2', 'n1', 'b', '10.0.1.3/24'));
  });
  const views = new NetworkViews(store);
  const first = views.of('n1');
  await store.update((tx) => tx.create('tasks', running('t3', 'n1', 'b', '10.0.1.4/24')));
  views.invalidate();
  const second = views.of('n1');
  const u = views.update(second, first.networkDigests);
  assert.deepEqual(u.networks[0], { keep: 'a' });
  const patched = u.networks[1];
  assert.ok(patched !== undefined && 'patch' in patched);
  assert.deepEqual(
    patched.patch.endpoints.map((e) => e.address),
    ['10.0.1.4/24'],
  );
  // What goes on the wire is the same, made from each network's and patch's JSON.
  assert.deepEqual(JSON.parse(views.encode(second)), second.view);
  assert.deepEqual(JSON.parse(views.encode(second, first.networkDigests)), u);
  // A node that holds neither the previous nor the current copy gets the network whole.
  const whole = views.update(second, new Map([['b', 'something else']]));
  assert.ok(whole.networks.every((e) => 'full' in e));
});

test('a node that missed steps gets them as one composed patch; one behind the kept steps gets the network whole', async () => {
  const store = createLocalStore();
  const running = (id: string, address: string) => {
    const t = newTask(id, 's1', 1, 'n1');
    t.status = { ...t.status, state: 'running' };
    t.networksAttachments = [{ networkId: 'a', addresses: [address], aliases: [] }];
    return t;
  };
  await store.update((tx) => {
    tx.create('networks', allocatedNetwork('a', '10.0.0.0/16', 4097));
    tx.create('nodes', newNode('n1'));
    tx.create('tasks', running('t0', '10.0.0.2/16'));
  });
  const views = new NetworkViews(store);
  const first = views.of('n1');
  const watcher = store.watch({ tables: ['tasks'] });
  // Three steps: t1 and t2 start, then t1 stops; the node held the first view throughout.
  const step = async (write: Parameters<typeof store.update>[0]): Promise<void> => {
    await store.update(write);
    views.apply(watcher.drain().filter((e): e is ChangeEvent => e.action !== 'commit'));
  };
  await step((tx) => tx.create('tasks', running('t1', '10.0.0.3/16')));
  await step((tx) => tx.create('tasks', running('t2', '10.0.0.4/16')));
  await step((tx) => tx.delete('tasks', 't1'));
  const now = views.of('n1');
  const u = views.update(now, first.networkDigests);
  const entry = u.networks[0];
  assert.ok(entry !== undefined && 'patch' in entry, 'a patch, not the network whole');
  assert.deepEqual(
    entry.patch.endpoints.map((e) => e.address),
    ['10.0.0.4/16'],
    'only what changed from the copy held: t2 is new, t1 came and went',
  );
  assert.deepEqual(applyViewUpdate(first.view, u), now.view);
  assert.deepEqual(JSON.parse(views.encode(now, first.networkDigests)), u);
  // More steps than are kept: the node's copy is too old to patch.
  for (let i = 0; i < NETWORK_STEPS_KEPT + 1; i++) {
    await step((tx) => tx.create('tasks', running(`x${i}`, `10.0.1.${i + 2}/16`)));
  }
  const later = views.of('n1');
  const old = views.update(later, first.networkDigests);
  assert.ok(old.networks.every((e) => 'full' in e));
});
