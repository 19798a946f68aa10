// The watch queue: ordering, commit events, filters, view+watch atomicity and bounded buffers.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createLocalStore } from '../local-proposer.js';
import { WatchOverflowError } from '../errors.js';
import type { StoreEvent } from '../events.js';
import { newNode, newService, newTask } from './fixtures.js';

function describe(e: StoreEvent): string {
  return e.action === 'commit' ? `commit@${e.index}` : `${e.action} ${e.table}/${e.object.id}`;
}

test('each applied transaction publishes its changes in order, then one commit event', async () => {
  const store = createLocalStore();
  const watcher = store.watch();
  await store.update((tx) => {
    tx.create('services', newService('s1', 'web'));
    tx.create('tasks', newTask('t1', 's1', 1));
    tx.create('tasks', newTask('t2', 's1', 2));
  });
  await store.update((tx) => {
    const t1 = tx.get('tasks', 't1')!;
    tx.update('tasks', { ...t1, desiredState: 'shutdown' });
    tx.delete('tasks', 't2');
  });
  const seen: string[] = [];
  for await (const e of watcher) {
    seen.push(describe(e));
    if (e.action === 'commit' && e.index === 2) break;
  }
  assert.deepEqual(seen, [
    'create services/s1',
    'create tasks/t1',
    'create tasks/t2',
    'commit@1',
    'update tasks/t1',
    'delete tasks/t2',
    'commit@2',
  ]);
  assert.equal(watcher.closed, true, 'break from for-await closes the watcher');
  assert.equal(store.watcherCount, 0);
});

test('update events carry the old and new object; delete events the deleted one', async () => {
  const store = createLocalStore();
  await store.update((tx) => tx.create('tasks', newTask('t1', 's1', 1)));
  const watcher = store.watch({ commits: false });
  await store.update((tx) => tx.update('tasks', { ...tx.get('tasks', 't1')!, desiredState: 'shutdown' }));
  await store.update((tx) => tx.delete('tasks', 't1'));
  const [upd, del] = watcher.drain();
  assert.ok(upd?.action === 'update' && upd.table === 'tasks');
  assert.equal(upd.oldObject.desiredState, 'running');
  assert.equal(upd.oldObject.meta.version, 1);
  assert.equal(upd.object.desiredState, 'shutdown');
  assert.equal(upd.object.meta.version, 2);
  assert.ok(del?.action === 'delete' && del.table === 'tasks');
  assert.equal(del.object.meta.version, 2);
});

test('a consumer waiting in next() is woken by the next transaction', async () => {
  const store = createLocalStore();
  const watcher = store.watch();
  const first = watcher.next();
  await store.update((tx) => tx.create('nodes', newNode('n1')));
  const r = await first;
  assert.equal(r.done, false);
  assert.equal(describe(r.value), 'create nodes/n1');
  assert.equal(describe((await watcher.next()).value as StoreEvent), 'commit@1');
});

test('filters by table, action and predicate; commits follow matching transactions only', async () => {
  const store = createLocalStore();
  const tasksOnly = store.watch({ tables: ['tasks'] });
  const deletes = store.watch({ actions: ['delete'], commits: false });
  const onN1 = store.watch({ predicate: (e) => e.table === 'tasks' && e.object.nodeId === 'n1' });
  await store.update((tx) => tx.create('services', newService('s1', 'web'))); // 1
  await store.update((tx) => {
    tx.create('tasks', newTask('t1', 's1', 1, 'n1'));
    tx.create('tasks', newTask('t2', 's1', 2, 'n2'));
  }); // 2
  await store.update((tx) => tx.delete('tasks', 't2')); // 3
  await store.update((tx) => tx.delete('services', 's1')); // 4
  assert.deepEqual(tasksOnly.drain().map(describe), [
    'create tasks/t1',
    'create tasks/t2',
    'commit@2',
    'delete tasks/t2',
    'commit@3',
  ]);
  assert.deepEqual(deletes.drain().map(describe), ['delete tasks/t2', 'delete services/s1']);
  assert.deepEqual(onN1.drain().map(describe), ['create tasks/t1', 'commit@2']);
});

test('viewAndWatch: the watcher gets exactly the changes after the read', async () => {
  const store = createLocalStore();
  await store.update((tx) => tx.create('tasks', newTask('t1', 's1', 1)));
  const [ids, watcher] = store.viewAndWatch((tx) => tx.list('tasks').map((t) => t.id));
  await store.update((tx) => tx.create('tasks', newTask('t2', 's1', 2)));
  assert.deepEqual(ids, ['t1']);
  assert.deepEqual(watcher.drain().map(describe), ['create tasks/t2', 'commit@2']);
  // Replaying the events over the read gives the current state.
  const known = new Set(ids);
  known.add('t2');
  assert.deepEqual([...known].sort(), store.view((tx) => tx.list('tasks').map((t) => t.id)).sort());
  watcher.close();
});

test('viewAndWatch does not leak a watcher when the read throws', () => {
  const store = createLocalStore();
  assert.throws(() =>
    store.viewAndWatch(() => {
      throw new Error('boom');
    }),
  );
  assert.equal(store.watcherCount, 0);
});

test('an aborted signal closes the watcher and ends a pending next()', async () => {
  const store = createLocalStore();
  const ac = new AbortController();
  const watcher = store.watch({ signal: ac.signal });
  const pending = watcher.next();
  ac.abort();
  assert.deepEqual(await pending, { value: undefined, done: true });
  assert.equal(store.watcherCount, 0);
  await store.update((tx) => tx.create('nodes', newNode('n1')));
  assert.equal(watcher.buffered, 0);
});

test('a slow watcher is closed with WatchOverflowError and its buffer never exceeds the bound', async () => {
  const store = createLocalStore({ watchBufferSize: 50 });
  const slow = store.watch();
  const fast = store.watch();
  let maxBuffered = 0;
  let fastSeen = 0;
  for (let i = 0; i < 200; i++) {
    await store.update((tx) => tx.create('tasks', newTask(`t${i}`, 's1', i)));
    maxBuffered = Math.max(maxBuffered, slow.buffered);
    fastSeen += fast.drain().length;
  }
  assert.ok(maxBuffered <= 50, `buffered ${maxBuffered}`);
  assert.equal(slow.closed, true);
  assert.equal(slow.buffered, 0, 'the buffer is dropped at overflow');
  assert.ok(slow.error instanceof WatchOverflowError);
  await assert.rejects(
    slow.next(),
    (e: unknown) => e instanceof WatchOverflowError && e.code === 'WATCH_OVERFLOW',
  );
  await assert.rejects(slow.next(), WatchOverflowError, 'the error is sticky');
  assert.throws(() => slow.drain(), WatchOverflowError);
  assert.equal(fastSeen, 400, 'a consumer that keeps up is unaffected');
  assert.equal(store.watcherCount, 1);
  fast.close();
});

test('a per-watcher buffer size overrides the store default', async () => {
  const store = createLocalStore();
  const w = store.watch({ bufferSize: 3 });
  await store.update((tx) => tx.create('tasks', newTask('t1', 's1', 1)));
  await store.update((tx) => tx.create('tasks', newTask('t2', 's1', 2)));
  assert.equal(w.closed, true);
  assert.equal(w.error?.message, 'watcher fell behind by more than 3 events and was closed');
  assert.throws(() => store.watch({ bufferSize: 0 }), RangeError);
});

test('a predicate that throws closes its own watcher, not the store', async () => {
  const store = createLocalStore();
  const bad = store.watch({
    predicate: () => {
      throw new Error('predicate bug');
    },
  });
  const good = store.watch();
  await store.update((tx) => tx.create('tasks', newTask('t1', 's1', 1)));
  assert.equal(bad.closed, true);
  await assert.rejects(bad.next(), /predicate bug/);
  assert.equal(good.drain().length, 2);
  assert.equal(
    store.view((tx) => tx.count('tasks')),
    1,
  );
});

test('refused transactions publish nothing', async () => {
  const store = createLocalStore();
  await store.update((tx) => tx.create('services', newService('s1', 'web')));
  const w = store.watch();
  await assert.rejects(store.update((tx) => tx.create('services', newService('s2', 'web'))));
  assert.equal(
    store.apply(store.appliedIndex + 1, new Uint8Array([1, 2, 3])).constructor.name,
    'MalformedCommandError',
  );
  assert.equal(w.buffered, 0);
});
