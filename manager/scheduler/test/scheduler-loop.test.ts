// The scheduler loop against a real store: assignments in batched transactions, pending tasks
// retried when nodes change or resources free up, preassigned global tasks.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createLocalStore } from '../../store/local-proposer.js';
import type { MemoryStore } from '../../store/store.js';
import { newNode, newService, newTask } from '../../store/test/fixtures.js';
import { ManualClock } from '../../../api/clock/manual-clock.js';
import { Scheduler } from '../scheduler.js';

const turn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

function start(store: MemoryStore, clock: ManualClock, batchSize?: number): { stop: () => Promise<void> } {
  const ac = new AbortController();
  const scheduler = new Scheduler({ store, clock, ...(batchSize === undefined ? {} : { batchSize }) });
  const done = scheduler.run(ac.signal);
  return {
    stop: async () => {
      ac.abort();
      await done;
    },
  };
}

function node(id: string, cpus = 4) {
  const n = newNode(id);
  n.description!.resources = { nanoCPUs: cpus * 1e9, memoryBytes: 8 * 2 ** 30, generic: [] };
  return n;
}

test('new tasks are assigned in batched transactions, with state, message and timestamp', async () => {
  const clock = new ManualClock();
  const store = createLocalStore({ clock: clock.date });
  await store.update((tx) => {
    tx.create('nodes', node('n1'));
    tx.create('nodes', node('n2'));
    tx.create('services', newService('s1', 'web'));
  });
  const loop = start(store, clock, 4);
  await turn();
  const before = store.appliedIndex;
  await store.update((tx) => {
    for (let i = 1; i <= 10; i++) tx.create('tasks', newTask(`t${i}`, 's1', i));
  });
  await turn();
  await turn();
  assert.equal(store.appliedIndex - before, 1 + 3, 'one write for the tasks, then 3 batches of at most 4');
  const tasks = store.view((tx) => tx.list('tasks'));
  assert.ok(tasks.every((t) => t.status.state === 'assigned' && t.nodeId !== undefined));
  assert.ok(tasks.every((t) => t.status.message === 'scheduler assigned task to node'));
  assert.ok(tasks.every((t) => t.status.timestamp === new Date(clock.now()).toISOString()));
  assert.equal(tasks.filter((t) => t.nodeId === 'n1').length, 5);
  await loop.stop();
});

test('a pending task is retried when a node changes and when resources free up', async () => {
  const clock = new ManualClock();
  const store = createLocalStore({ clock: clock.date });
  const big = (id: string, slot: number) => {
    const t = newTask(id, 's1', slot);
    t.spec = { ...t.spec, resources: { reservations: { nanoCPUs: 3e9, memoryBytes: 0, generic: [] } } };
    return t;
  };
  await store.update((tx) => {
    tx.create('nodes', { ...node('n1'), spec: { labels: {}, role: 'worker', availability: 'drain' } });
    tx.create('tasks', big('t1', 1));
  });
  const loop = start(store, clock);
  await turn();
  await turn();
  let t1 = store.view((tx) => tx.get('tasks', 't1'))!;
  assert.equal(t1.status.state, 'pending');
  assert.equal(t1.status.err, 'no suitable node (1 node not available for new tasks)');
  const version = t1.meta.version;
  await store.update((tx) => tx.create('services', newService('s1', 'web')));
  await turn();
  assert.equal(
    store.view((tx) => tx.get('tasks', 't1'))!.meta.version,
    version,
    'no rewrite when nothing changed',
  );
  await store.update((tx) => {
    const n = tx.get('nodes', 'n1')!;
    tx.update('nodes', { ...n, spec: { ...n.spec, availability: 'active' } });
  });
  await turn();
  await turn();
  t1 = store.view((tx) => tx.get('tasks', 't1'))!;
  assert.equal(t1.status.state, 'assigned');
  assert.equal(t1.status.err, undefined);
  // A second big task does not fit next to the first...
  await store.update((tx) => tx.create('tasks', big('t2', 2)));
  await turn();
  await turn();
  assert.equal(
    store.view((tx) => tx.get('tasks', 't2'))!.status.err,
    'no suitable node (insufficient resources on 1 node)',
  );
  // ...until the first one stops.
  await store.update((tx) => {
    const t = tx.get('tasks', 't1')!;
    tx.update('tasks', { ...t, desiredState: 'shutdown', status: { ...t.status, state: 'shutdown' } });
  });
  await turn();
  await turn();
  assert.equal(store.view((tx) => tx.get('tasks', 't2'))!.status.state, 'assigned');
  await loop.stop();
});

test('tasks that should not run, or that are past pending, are left alone', async () => {
  const clock = new ManualClock();
  const store = createLocalStore({ clock: clock.date });
  await store.update((tx) => {
    tx.create('nodes', node('n1'));
    tx.create('tasks', newTask('t1', 's1', 1, undefined, 'shutdown'));
    const running = newTask('t2', 's1', 2, 'n1');
    tx.create('tasks', { ...running, status: { ...running.status, state: 'running' } });
  });
  const loop = start(store, clock);
  await turn();
  await turn();
  const [t1, t2] = store.view((tx) => [tx.get('tasks', 't1')!, tx.get('tasks', 't2')!]);
  assert.equal(t1.status.state, 'new');
  assert.equal(t2.status.state, 'running');
  await loop.stop();
});
