// Patches: a write of an object that exists travels as the top-level fields that changed.
// The object a patch makes is the one a whole update would have made, on every replica, and a
// committed patch is checked as hostile as any command: whatever it names, it is applied whole
// or refused whole, never thrown out of apply.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createLocalStore } from '../local-proposer.js';
import { ConflictError, InvalidObjectError, MalformedCommandError, NotFoundError } from '../errors.js';
import type { MemoryStore } from '../store.js';
import type { StoredObject, Task } from '../../../api/objects/index.js';
import { command, newService, newTask, replicated } from './fixtures.js';

const T0 = '2024-01-01T00:00:00.000Z';

function decoded(bytes: Uint8Array): { ops: Record<string, unknown>[] } {
  return JSON.parse(Buffer.from(bytes).toString('utf8')) as { ops: Record<string, unknown>[] };
}

/** A store with service s1 and task t1 (at version 2), and the bytes of every later command. */
async function seededStore(): Promise<{ store: MemoryStore; sent: Uint8Array[] }> {
  const { proposer, leader } = replicated();
  await leader.update((tx) => tx.create('services', newService('s1', 'web')));
  await leader.update((tx) => tx.create('tasks', newTask('t1', 's1', 1)));
  const from = proposer.log.length;
  const sent: Uint8Array[] = [];
  const original = proposer.propose.bind(proposer);
  proposer.propose = (bytes: Uint8Array): Promise<unknown> => {
    sent.push(bytes);
    return original(bytes);
  };
  assert.equal(from, 2);
  return { store: leader, sent };
}

test('an update of a task goes out as a patch of the fields that changed, and reads back whole', async () => {
  const { store, sent } = await seededStore();
  const t1 = store.view((tx) => tx.get('tasks', 't1')!);
  const { jobIteration: _none, ...rest } = { ...t1, jobIteration: 1 };
  await store.update((tx) => {
    const t = tx.update('tasks', {
      ...rest,
      nodeId: 'n1',
      status: { ...t1.status, state: 'assigned', message: 'scheduler assigned task to node' },
    });
    // Read back inside the transaction: the whole object, spec included, frozen.
    const back = tx.get('tasks', 't1')!;
    assert.equal(back.nodeId, 'n1');
    assert.deepEqual(back.spec, t1.spec);
    assert.equal(back.spec, t1.spec, 'the unchanged spec is the stored object');
    assert.ok(Object.isFrozen(back) && Object.isFrozen(back.status));
    assert.equal(t.nodeId, 'n1');
  });
  const ops = decoded(sent[0]!).ops;
  assert.equal(ops.length, 1);
  assert.equal(ops[0]!['op'], 'patch');
  assert.deepEqual(Object.keys(ops[0]!['set'] as object).sort(), ['nodeId', 'status']);
  assert.equal(ops[0]!['unset'], undefined);
  const after = store.view((tx) => tx.get('tasks', 't1')!);
  assert.equal(after.meta.version, 3);
  assert.equal(after.meta.createdAt, t1.meta.createdAt);
  assert.equal(after.spec, t1.spec, 'the stored spec is kept, not copied');
  assert.deepEqual(
    { ...after, meta: undefined },
    {
      ...t1,
      nodeId: 'n1',
      status: { ...t1.status, state: 'assigned', message: 'scheduler assigned task to node' },
      meta: undefined,
    },
  );
});

test('a field the writer drops (or sets to undefined) is unset', async () => {
  const { store, sent } = await seededStore();
  await store.update((tx) =>
    tx.update('tasks', { ...tx.get('tasks', 't1')!, nodeId: 'n1', jobIteration: 4 }),
  );
  // What a writer with `exactOptionalPropertyTypes` off (or a JavaScript caller) can pass.
  await store.update((tx) =>
    tx.update('tasks', { ...tx.get('tasks', 't1')!, nodeId: undefined } as unknown as Task),
  );
  await store.update((tx) => {
    const { jobIteration: _dropped, ...t } = tx.get('tasks', 't1')!;
    tx.update('tasks', t);
  });
  assert.deepEqual(decoded(sent[1]!).ops[0]!['unset'], ['nodeId']);
  assert.deepEqual(decoded(sent[2]!).ops[0]!['unset'], ['jobIteration']);
  const t = store.view((tx) => tx.get('tasks', 't1')!);
  assert.equal(Object.hasOwn(t, 'nodeId'), false);
  assert.equal(Object.hasOwn(t, 'jobIteration'), false);
  assert.equal(
    store.view((tx) => tx.count('tasks', 'nodeId', 'n1')),
    0,
    'indexes follow',
  );
});

test('replicas fed patches end equal to a store fed whole updates', async () => {
  const { leader, followers } = replicated(2);
  const whole = createLocalStore();
  for (const store of [leader, whole]) {
    await store.update((tx) => {
      tx.create('services', newService('s1', 'web'));
      for (let i = 0; i < 20; i++) tx.create('tasks', newTask(`t${i}`, 's1', i + 1));
    });
  }
  for (let round = 0; round < 3; round++) {
    await leader.update((tx) => {
      for (const t of tx.list('tasks'))
        tx.update('tasks', { ...t, nodeId: `n${round}`, slot: t.slot + round });
    });
    // The same changes as whole-object updates, hand-written (what the previous format sent).
    const ops = whole.view((tx) =>
      tx.list('tasks').map((t) => ({
        op: 'update',
        table: 'tasks',
        object: { ...t, nodeId: `n${round}`, slot: t.slot + round },
      })),
    );
    assert.ok(!(whole.apply(whole.appliedIndex + 1, command({ v: 1, ops })) instanceof Error));
  }
  for (const f of followers) assert.equal(f.hash(), leader.hash());
  // The stores' clocks differ: compare everything but the timestamps.
  const content = (store: MemoryStore): unknown[] =>
    store.view((tx) =>
      tx
        .list('tasks')
        .sort((a, b) => (a.id < b.id ? -1 : 1))
        .map((t: StoredObject) => ({ ...t, meta: t.meta.version })),
    );
  assert.deepEqual(content(whole), content(leader));
});

test('a patch of a missing object or a stale version is refused as an update would be', async () => {
  const { store } = await seededStore();
  const v = store.view((tx) => tx.get('tasks', 't1')!.meta.version);
  const patch = (id: string, version: number): Uint8Array =>
    command({ v: 1, ops: [{ op: 'patch', table: 'tasks', id, version, updatedAt: T0, set: { slot: 9 } }] });
  const hash = store.hash();
  assert.ok(store.apply(store.appliedIndex + 1, patch('zz', v)) instanceof NotFoundError);
  assert.ok(store.apply(store.appliedIndex + 1, patch('t1', v - 1)) instanceof ConflictError);
  assert.equal(store.hash(), hash);
  const index = store.appliedIndex + 1;
  assert.deepEqual(store.apply(index, patch('t1', v)), { index, changes: 1 });
  assert.equal(
    store.view((tx) => tx.get('tasks', 't1')!.slot),
    9,
  );
});

const ok = { op: 'patch', table: 'tasks', id: 't1', version: 2, updatedAt: T0, set: { slot: 3 } };
const hostile: [string, unknown][] = [
  ['an unknown field', { ...ok, why: 1 }],
  ['an invalid id', { ...ok, id: 'a/b' }],
  ['no version', { ...ok, version: undefined }],
  ['a fractional version', { ...ok, version: 1.5 }],
  ['no updatedAt', { ...ok, updatedAt: undefined }],
  ['a set that is not an object', { ...ok, set: [1] }],
  ['a set naming id', { ...ok, set: { id: 't2' } }],
  ['a set naming meta', { ...ok, set: { meta: { version: 0, createdAt: T0, updatedAt: T0 } } }],
  ['an unset that is not an array', { ...ok, unset: 'status' }],
  ['an unset of a number', { ...ok, unset: [1] }],
  ['an unset of meta', { ...ok, unset: ['meta'] }],
  ['an unset of a field it sets', { ...ok, unset: ['slot'] }],
  ['an unset of a required field', { ...ok, unset: ['status'] }],
  ['a bad value', { ...ok, set: { desiredState: 'dancing' } }],
  ['a negative slot', { ...ok, set: { slot: -1 } }],
  ['a status that is not an object', { ...ok, set: { status: 'running' } }],
  ['a spec that is not a task spec', { ...ok, set: { spec: { containerSpec: 5 } } }],
  ['a node ID with a slash', { ...ok, set: { nodeId: 'n/1' } }],
  ['too deep a value', { ...ok, set: { serviceAnnotations: nested(40) } }],
];

function nested(depth: number): unknown {
  let v: unknown = { name: 'x', labels: {} };
  for (let i = 0; i < depth; i++) v = { name: 'x', labels: {}, v };
  return v;
}

for (const [name, op] of hostile) {
  test(`a patch with ${name} is refused as malformed and changes nothing`, async () => {
    const { store } = await seededStore();
    const hash = store.hash();
    const watcher = store.watch();
    const result = store.apply(store.appliedIndex + 1, command({ v: 1, ops: [op] }));
    assert.ok(result instanceof MalformedCommandError, `got ${JSON.stringify(result)}`);
    assert.equal(store.hash(), hash);
    assert.equal(watcher.buffered, 0);
    // The store still applies a good patch after it.
    assert.ok(!(store.apply(store.appliedIndex + 1, command({ v: 1, ops: [ok] })) instanceof Error));
  });
}

test('a writer gets InvalidObjectError at once for a bad patch, as for a bad whole object', async () => {
  const { store } = await seededStore();
  await assert.rejects(
    store.update((tx) => tx.update('tasks', { ...tx.get('tasks', 't1')!, slot: -1 })),
    InvalidObjectError,
  );
  await assert.rejects(
    store.update((tx) =>
      tx.update('tasks', {
        ...tx.get('tasks', 't1')!,
        serviceAnnotations: nested(40) as { name: string; labels: Record<string, string> },
      }),
    ),
    InvalidObjectError,
  );
});

test('a stored spec is checked once, but a spec changed in place by a writer is still checked', async () => {
  const { store } = await seededStore();
  const t1 = store.view((tx) => tx.get('tasks', 't1')!);
  // A copy of the stored spec with a bad field: not the stored object, so it is checked.
  const bad = { ...t1.spec, networks: 'none' } as unknown as typeof t1.spec;
  await assert.rejects(
    store.update((tx) => tx.update('tasks', { ...t1, spec: bad })),
    InvalidObjectError,
  );
  const patch = command({
    v: 1,
    ops: [
      { op: 'patch', table: 'tasks', id: 't1', version: t1.meta.version, updatedAt: T0, set: { spec: bad } },
    ],
  });
  assert.ok(store.apply(store.appliedIndex + 1, patch) instanceof MalformedCommandError);
});
