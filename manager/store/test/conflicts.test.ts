// Refused transactions: stale versions, missing objects, duplicate names, and atomicity.
// Refusals at apply time are deterministic: every replica refuses alike and stays identical.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createLocalStore } from '../local-proposer.js';
import { ConflictError, ExistsError, NameConflictError, NotFoundError, StoreError } from '../errors.js';
import type { MemoryStore } from '../store.js';
import { command, newNetwork, newService, newTask, replicated } from './fixtures.js';

async function withService(store: MemoryStore, name = 'web'): Promise<void> {
  await store.update((tx) => tx.create('services', newService('s1', name)));
}

test('an update naming a stale version is refused with ConflictError at once', async () => {
  const store = createLocalStore();
  await withService(store);
  const v1 = store.view((tx) => tx.get('services', 's1')!);
  await store.update((tx) => tx.update('services', { ...v1, spec: { ...v1.spec, labels: { a: '1' } } }));
  await assert.rejects(
    store.update((tx) => tx.update('services', { ...v1, spec: { ...v1.spec, labels: { b: '2' } } })),
    (e: unknown) =>
      e instanceof ConflictError &&
      e.code === 'CONFLICT' &&
      e.message.startsWith('update out of sequence') &&
      e.expectedVersion === 1 &&
      e.currentVersion === 2,
  );
  await assert.rejects(
    store.update((tx) => tx.delete('services', 's1', 1)),
    ConflictError,
  );
  assert.deepEqual(
    store.view((tx) => tx.get('services', 's1')?.spec.labels),
    { a: '1' },
  );
});

test('concurrent writers: the update applied second is refused at apply on every replica', async () => {
  const { proposer, leader, followers } = replicated(2, true);
  const created = leader.update((tx) => tx.create('services', newService('s1', 'web')));
  proposer.flush();
  await created;
  // Both writers read version 1 before either is applied.
  const first = leader.update((tx) => {
    const s = tx.get('services', 's1')!;
    tx.update('services', { ...s, spec: { ...s.spec, labels: { by: 'first' } } });
  });
  const second = leader.update((tx) => {
    const s = tx.get('services', 's1')!;
    tx.update('services', { ...s, spec: { ...s.spec, labels: { by: 'second' } } });
  });
  assert.equal(proposer.pending, 2);
  proposer.flush();
  await first;
  await assert.rejects(second, ConflictError);
  for (const store of [leader, ...followers]) {
    assert.deepEqual(
      store.view((tx) => tx.get('services', 's1')?.spec.labels),
      { by: 'first' },
    );
    assert.equal(store.appliedIndex, 3);
    assert.equal(store.hash(), leader.hash());
  }
});

test('concurrent writers: update or delete of an object deleted meanwhile is NotFound', async () => {
  const { proposer, leader } = replicated(1, true);
  const created = leader.update((tx) => tx.create('services', newService('s1', 'web')));
  proposer.flush();
  await created;
  const del = leader.update((tx) => tx.delete('services', 's1'));
  const upd = leader.update((tx) => {
    const s = tx.get('services', 's1')!;
    tx.update('services', { ...s, pendingDelete: true });
  });
  const del2 = leader.update((tx) => tx.delete('services', 's1'));
  proposer.flush();
  await del;
  await assert.rejects(
    upd,
    (e: unknown) => e instanceof NotFoundError && e.message === 'service s1 not found',
  );
  await assert.rejects(del2, NotFoundError);
});

test('concurrent creates with one ID or one name: the second is refused', async () => {
  const { proposer, leader, followers } = replicated(1, true);
  const a = leader.update((tx) => tx.create('services', newService('s1', 'web')));
  const b = leader.update((tx) => tx.create('services', newService('s1', 'api')));
  const c = leader.update((tx) => tx.create('services', newService('s2', 'WEB')));
  proposer.flush();
  await a;
  await assert.rejects(b, ExistsError);
  await assert.rejects(
    c,
    (e: unknown) =>
      e instanceof NameConflictError &&
      e.code === 'NAME_CONFLICT' &&
      e.message === 'service with name WEB already exists' &&
      e.existingId === 's1',
  );
  assert.equal(followers[0]!.hash(), leader.hash());
});

test('names are unique per table, case-insensitively', async () => {
  const store = createLocalStore();
  await withService(store);
  await assert.rejects(
    store.update((tx) => tx.create('services', newService('s2', 'web'))),
    (e: unknown) => e instanceof NameConflictError && e.message === 'service with name web already exists',
  );
  await assert.rejects(
    store.update((tx) => tx.create('services', newService('s2', 'Web'))),
    NameConflictError,
  );
  // Another table may use the same name.
  await store.update((tx) => tx.create('networks', newNetwork('n1', 'web')));
  // Renaming onto a taken name is refused too.
  await store.update((tx) => tx.create('services', newService('s2', 'api')));
  await assert.rejects(
    store.update((tx) => {
      const s2 = tx.get('services', 's2')!;
      tx.update('services', { ...s2, spec: { ...s2.spec, name: 'WEB' } });
    }),
    NameConflictError,
  );
  // Two new objects with one name in one transaction.
  await assert.rejects(
    store.update((tx) => {
      tx.create('services', newService('s3', 'db'));
      tx.create('services', newService('s4', 'db'));
    }),
    NameConflictError,
  );
  assert.equal(
    store.view((tx) => tx.count('services')),
    2,
  );
});

test('a name freed in a transaction can be taken in the same transaction', async () => {
  const store = createLocalStore();
  await withService(store);
  await store.update((tx) => tx.create('services', newService('s2', 'api')));
  // Swap the two names in one transaction.
  await store.update((tx) => {
    const s1 = tx.get('services', 's1')!;
    const s2 = tx.get('services', 's2')!;
    tx.update('services', { ...s1, spec: { ...s1.spec, name: 'api' } });
    tx.update('services', { ...s2, spec: { ...s2.spec, name: 'web' } });
  });
  assert.equal(
    store.view((tx) => tx.getByName('services', 'web')?.id),
    's2',
  );
  // Delete one and create its successor under the same name.
  await store.update((tx) => {
    tx.delete('services', 's2');
    tx.create('services', newService('s3', 'web'));
  });
  assert.equal(
    store.view((tx) => tx.getByName('services', 'web')?.id),
    's3',
  );
});

test('a transaction with one failing op changes nothing and publishes nothing', async () => {
  const { proposer, leader, followers } = replicated(1, true);
  const setup = leader.update((tx) => {
    tx.create('services', newService('s1', 'web'));
    tx.create('tasks', newTask('t1', 's1', 1));
  });
  proposer.flush();
  await setup;
  const watcher = leader.watch();
  // Both transactions read version 1 of the service; the racer is applied first.
  const racer = leader.update((tx) => {
    const s = tx.get('services', 's1')!;
    tx.update('services', { ...s, spec: { ...s.spec, labels: { racer: 'won' } } });
  });
  const big = leader.update((tx) => {
    for (let i = 2; i <= 5; i++) tx.create('tasks', newTask(`t${i}`, 's1', i));
    tx.delete('tasks', 't1');
    const s = tx.get('services', 's1')!;
    tx.update('services', { ...s, spec: { ...s.spec, mode: { kind: 'replicated', replicas: 5 } } });
  });
  proposer.flush();
  await racer;
  await assert.rejects(big, ConflictError);
  for (const store of [leader, ...followers]) {
    assert.deepEqual(
      store.view((tx) => tx.list('tasks').map((t) => t.id)),
      ['t1'],
    );
    assert.deepEqual(
      store.view((tx) => tx.get('services', 's1')?.spec.mode),
      { kind: 'replicated', replicas: 1 },
    );
    assert.equal(store.appliedIndex, 3);
  }
  assert.deepEqual(
    watcher.drain().map((e) => e.action),
    ['update', 'commit'],
    'only the racer was published',
  );
  assert.equal(followers[0]!.hash(), leader.hash());

  // The same with the failing op last in a hand-written command.
  const before = leader.hash();
  const index = leader.appliedIndex + 1;
  const stale = { ...leader.view((tx) => tx.get('services', 's1')!), meta: meta(1) };
  const result = leader.apply(
    index,
    command({
      v: 1,
      ops: [
        { op: 'create', table: 'tasks', object: { ...newTask('t9', 's1', 9), meta: meta() } },
        { op: 'delete', table: 'tasks', id: 't1', version: 1 },
        { op: 'update', table: 'services', object: stale },
      ],
    }),
  );
  assert.ok(result instanceof ConflictError, 'the stale update refuses the whole transaction');
  assert.deepEqual(watcher.drain(), []);
  assert.equal(leader.hash(), before);
  assert.equal(leader.appliedIndex, index, 'a refused entry still counts as applied');
  assert.deepEqual(
    leader.view((tx) => tx.list('tasks').map((t) => t.id)),
    ['t1'],
  );
});

function meta(version = 0): { version: number; createdAt: string; updatedAt: string } {
  return { version, createdAt: '2024-01-01T00:00:00.000Z', updatedAt: '2024-01-01T00:00:00.000Z' };
}

test('crafted commands are refused with the same typed error a writer would get', () => {
  const store = createLocalStore();
  const create = (id: string, name: string): unknown => ({
    op: 'create',
    table: 'services',
    object: { ...newService(id, name), meta: meta() },
  });
  assert.deepEqual(store.apply(1, command({ v: 1, ops: [create('s1', 'web')] })), { index: 1, changes: 1 });
  const cases: [string, unknown, new (...args: never[]) => StoreError][] = [
    ['duplicate id', { v: 1, ops: [create('s1', 'x')] }, ExistsError],
    ['duplicate name', { v: 1, ops: [create('s2', 'WEB')] }, NameConflictError],
    [
      'stale delete',
      { v: 1, ops: [{ op: 'delete', table: 'services', id: 's1', version: 7 }] },
      ConflictError,
    ],
    [
      'missing delete',
      { v: 1, ops: [{ op: 'delete', table: 'services', id: 'zz', version: 1 }] },
      NotFoundError,
    ],
    [
      'missing update',
      { v: 1, ops: [{ op: 'update', table: 'tasks', object: { ...newTask('t1', 's1', 1), meta: meta(1) } }] },
      NotFoundError,
    ],
  ];
  let index = 1;
  const hash = store.hash();
  for (const [name, cmd, type] of cases) {
    const result = store.apply(++index, command(cmd));
    assert.ok(
      result instanceof type,
      `${name}: got ${result instanceof Error ? result.message : JSON.stringify(result)}`,
    );
    assert.equal(store.hash(), hash, name);
  }
});
