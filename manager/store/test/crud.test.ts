// Create, read, update and delete on every table through update() and view().

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createLocalStore } from '../local-proposer.js';
import { TxClosedError, InvalidObjectError, ExistsError, NotFoundError } from '../errors.js';
import { TABLE_NAMES } from '../../../api/objects/index.js';
import type { ReadTx } from '../read-tx.js';
import { changed, newObject, newService, newTask, steppingClock } from './fixtures.js';

for (const table of TABLE_NAMES) {
  test(`CRUD on ${table}`, async () => {
    const store = createLocalStore({ clock: steppingClock() });

    const created = await store.update((tx) => tx.create(table, newObject(table, 'obj1', 'first')));
    assert.equal(created.meta.version, 0, 'the proposed object is unversioned');
    const stored = store.view((tx) => tx.get(table, 'obj1'));
    assert.ok(stored);
    assert.equal(stored.meta.version, 1);
    assert.equal(stored.meta.createdAt, stored.meta.updatedAt);
    assert.deepEqual(
      store.view((tx) => tx.list(table).map((o) => o.id)),
      ['obj1'],
    );
    assert.equal(
      store.view((tx) => tx.count(table)),
      1,
    );

    await store.update((tx) => tx.update(table, changed(table, stored)));
    const updated = store.view((tx) => tx.get(table, 'obj1'));
    assert.ok(updated);
    assert.equal(updated.meta.version, 2);
    assert.equal(updated.meta.createdAt, stored.meta.createdAt, 'createdAt never changes');
    assert.ok(updated.meta.updatedAt > stored.meta.updatedAt);
    assert.deepEqual(updated, { ...changed(table, stored), meta: updated.meta });

    await store.update((tx) => tx.delete(table, 'obj1'));
    assert.equal(
      store.view((tx) => tx.get(table, 'obj1')),
      undefined,
    );
    assert.equal(
      store.view((tx) => tx.count(table)),
      0,
    );
    assert.equal(store.appliedIndex, 3);
  });
}

test('stored objects are frozen and shared read-only', async () => {
  const store = createLocalStore();
  await store.update((tx) => tx.create('services', newService('s1', 'web')));
  const svc = store.view((tx) => tx.get('services', 's1'));
  assert.ok(svc);
  assert.throws(() => {
    svc.spec.name = 'other';
  }, TypeError);
  assert.throws(() => {
    svc.spec.taskTemplate.containerSpec.env.push('B=2');
  }, TypeError);
});

test('the writer’s object is copied: changing it after create changes nothing', async () => {
  const store = createLocalStore();
  const svc = newService('s1', 'web');
  await store.update((tx) => {
    tx.create('services', svc);
    svc.spec.name = 'changed-later';
  });
  assert.equal(store.view((tx) => tx.get('services', 's1'))?.spec.name, 'web');
});

test('a write transaction sees its own writes', async () => {
  const store = createLocalStore();
  await store.update((tx) => {
    tx.create('services', newService('s1', 'web'));
    tx.create('tasks', newTask('t1', 's1', 1, 'n1'));
  });
  await store.update((tx) => {
    tx.create('tasks', newTask('t2', 's1', 2, 'n1'));
    tx.delete('tasks', 't1');
    assert.equal(tx.get('tasks', 't1'), undefined);
    assert.equal(tx.get('tasks', 't2')?.slot, 2);
    assert.deepEqual(
      tx.find('tasks', 'serviceId', 's1').map((t) => t.id),
      ['t2'],
    );
    assert.deepEqual(
      tx.list('tasks').map((t) => t.id),
      ['t2'],
    );
    assert.equal(tx.count('tasks'), 1);
    assert.equal(tx.count('tasks', 'nodeId', 'n1'), 1);
    assert.equal(tx.getByName('services', 'WEB')?.id, 's1');
  });
  assert.deepEqual(
    store.view((tx) => tx.list('tasks').map((t) => t.id)),
    ['t2'],
  );
});

test('create then update in one transaction is one create; create then delete is nothing', async () => {
  const store = createLocalStore();
  await store.update((tx) => {
    const t = tx.create('tasks', newTask('t1', 's1', 1));
    tx.update('tasks', { ...t, desiredState: 'shutdown' });
    tx.create('tasks', newTask('t2', 's1', 2));
    tx.delete('tasks', 't2');
  });
  assert.equal(store.appliedIndex, 1);
  const tasks = store.view((tx) => tx.list('tasks'));
  assert.equal(tasks.length, 1);
  assert.equal(tasks[0]?.desiredState, 'shutdown');
  assert.equal(tasks[0]?.meta.version, 1);
});

test('a transaction that changes nothing proposes nothing', async () => {
  const store = createLocalStore();
  const n = await store.update((tx) => tx.count('tasks'));
  assert.equal(n, 0);
  assert.equal(store.appliedIndex, 0);
});

test('update returns the callback’s result once applied', async () => {
  const store = createLocalStore();
  const id = await store.update((tx) => tx.create('services', newService('s1', 'web')).id);
  assert.equal(id, 's1');
  assert.equal(
    store.view((tx) => tx.get('services', 's1')?.meta.version),
    1,
  );
});

test('writer errors are thrown before anything is proposed', async () => {
  const store = createLocalStore();
  await store.update((tx) => tx.create('services', newService('s1', 'web')));
  await assert.rejects(
    store.update((tx) => tx.create('services', newService('s1', 'other'))),
    ExistsError,
  );
  await assert.rejects(
    store.update((tx) => tx.delete('services', 'nope')),
    (e: unknown) =>
      e instanceof NotFoundError && e.code === 'NOT_FOUND' && e.message === 'service nope not found',
  );
  await assert.rejects(
    store.update((tx) =>
      tx.create('tasks', { ...newTask('t1', 's1', 1), desiredState: 'bogus' as 'running' }),
    ),
    (e: unknown) =>
      e instanceof InvalidObjectError && e.code === 'INVALID_OBJECT' && /desiredState/.test(e.message),
  );
  await assert.rejects(
    store.update((tx) => tx.create('tasks', newTask('bad id!', 's1', 1))),
    InvalidObjectError,
  );
  assert.equal(store.appliedIndex, 1);
});

test('a transaction handle cannot be used after its callback returned', async () => {
  const store = createLocalStore();
  let kept: ReadTx | undefined;
  store.view((tx) => {
    kept = tx;
  });
  assert.throws(() => kept?.list('tasks'), TxClosedError);
  await store.update((tx) => {
    kept = tx;
  });
  assert.throws(() => kept?.get('tasks', 'x'), TxClosedError);
});

test('update rejects without proposing when the signal is already aborted', async () => {
  const store = createLocalStore();
  const ac = new AbortController();
  ac.abort();
  await assert.rejects(
    store.update((tx) => tx.create('services', newService('s1', 'web')), ac.signal),
    (e: unknown) => e instanceof Error && (e as { code?: string }).code === 'PROPOSAL_ABORTED',
  );
  assert.equal(store.appliedIndex, 0);
});

test('an async update callback is refused before anything is proposed', async () => {
  const store = createLocalStore();
  await assert.rejects(
    store.update(async (tx) => {
      tx.create('services', newService('s1', 'web'));
      await Promise.resolve();
    }),
    TypeError,
  );
  assert.equal(store.appliedIndex, 0);
});
