// One transaction's changes as the page's delta, and the service events they make.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createLocalStore, type ChangeEvent, type MemoryStore, type WriteTx } from '../../store/index.js';
import { newNode, newService, newTask } from '../../store/test/fixtures.js';
import { deltaOf, isEmptyDelta, serviceEventsOf, type DashboardDelta } from '../deltas.js';

/** Runs `fn` as one transaction and returns its delta as the hub would make it. */
async function deltaOfUpdate(store: MemoryStore, fn: (tx: WriteTx) => void): Promise<DashboardDelta> {
  const watcher = store.watch({ tables: ['nodes', 'services', 'tasks'] });
  await store.update(fn);
  const changes: ChangeEvent[] = [];
  for (const e of watcher.drain()) {
    if (e.action === 'commit') {
      watcher.close();
      return store.view((tx) => deltaOf(changes, e.index, tx));
    }
    changes.push(e);
  }
  throw new Error('no commit event');
}

test('created nodes, services and tasks arrive as views; the service is recounted', async () => {
  const store = createLocalStore();
  const d = await deltaOfUpdate(store, (tx) => {
    tx.create('nodes', newNode('n1'));
    tx.create('services', newService('s1', 'web', { kind: 'replicated', replicas: 2 }));
    const t = newTask('t1', 's1', 1, 'n1');
    tx.create('tasks', { ...t, status: { ...t.status, state: 'running' } });
  });
  assert.equal(d.index, store.appliedIndex);
  assert.deepEqual(
    d.nodes.map((n) => n.hostname),
    ['host-n1'],
  );
  assert.deepEqual(
    d.services.map((s) => [s.name, s.running, s.desired]),
    [['web', 1, 2]],
  );
  assert.deepEqual(
    d.tasks.map((t) => [t.id, t.state, t.nodeId]),
    [['t1', 'running', 'n1']],
  );
  assert.deepEqual(
    d.events.map((e) => [e.kind, e.message]),
    [
      ['created', 'created: replicated, 2 replicas, image nginx:1.25'],
      ['task', 'svc-s1.1 created (running)'],
    ],
  );
  assert.equal(isEmptyDelta(d), false);
});

test('a scale, a task state change, a finished task and a removal', async () => {
  const store = createLocalStore();
  await store.update((tx) => {
    tx.create('services', newService('s1', 'web', { kind: 'replicated', replicas: 2 }));
    tx.create('tasks', newTask('t1', 's1', 1, 'n1'));
    tx.create('tasks', newTask('t2', 's1', 2, 'n1'));
  });
  const scaled = await deltaOfUpdate(store, (tx) => {
    const s = tx.get('services', 's1')!;
    tx.update('services', { ...s, spec: { ...s.spec, mode: { kind: 'replicated', replicas: 4 } } });
    const t = tx.get('tasks', 't1')!;
    tx.update('tasks', { ...t, status: { ...t.status, state: 'running', message: 'started' } });
  });
  assert.deepEqual(
    scaled.events.map((e) => [e.kind, e.message, e.taskId ?? '']),
    [
      ['scaled', 'scaled from 2 to 4', ''],
      ['task', 'svc-s1.1 new -> running', 't1'],
    ],
  );
  assert.deepEqual(
    scaled.services.map((s) => [s.running, s.desired]),
    [[1, 4]],
  );

  const stopped = await deltaOfUpdate(store, (tx) => {
    const t = tx.get('tasks', 't2')!;
    tx.update('tasks', { ...t, desiredState: 'shutdown', status: { ...t.status, state: 'shutdown' } });
  });
  assert.deepEqual(stopped.tasks, []);
  assert.deepEqual(stopped.removedTasks, ['t2'], 'a finished unwanted task leaves the grid');
  assert.deepEqual(
    stopped.events.map((e) => e.message),
    ['svc-s1.2 new -> shutdown', 'svc-s1.2 desired shutdown'],
  );

  const removed = await deltaOfUpdate(store, (tx) => {
    tx.delete('tasks', 't1');
    tx.delete('tasks', 't2');
    tx.delete('services', 's1');
  });
  assert.deepEqual(removed.removedServices, ['s1']);
  assert.deepEqual([...removed.removedTasks].sort(), ['t1', 't2']);
  assert.deepEqual(
    removed.events.map((e) => e.kind),
    ['removed'],
  );
});

test('a spec change other than the mode is an update; update status changes are events', async () => {
  const store = createLocalStore();
  await store.update((tx) => tx.create('services', newService('s1', 'web')));
  const before = store.view((tx) => tx.get('services', 's1')!);
  const after = {
    ...before,
    spec: {
      ...before.spec,
      taskTemplate: {
        ...before.spec.taskTemplate,
        containerSpec: { ...before.spec.taskTemplate.containerSpec, image: 'nginx:1.27' },
      },
    },
    updateStatus: { state: 'updating' as const, message: 'update in progress' },
  };
  const events = serviceEventsOf({ action: 'update', table: 'services', object: after, oldObject: before });
  assert.deepEqual(
    events.map((e) => [e.kind, e.message]),
    [
      ['updated', 'spec updated: image nginx:1.25 -> nginx:1.27'],
      ['updated', 'update updating: update in progress'],
    ],
  );
  const nodeChange = serviceEventsOf({
    action: 'create',
    table: 'nodes',
    object: { ...newNode('n1'), meta: before.meta },
  });
  assert.deepEqual(nodeChange, []);
});
