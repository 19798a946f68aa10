// Malformed commands: whatever bytes are committed, apply refuses bad ones with a typed error,
// changes nothing, publishes nothing and keeps serving.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createLocalStore } from '../local-proposer.js';
import { encodeCommand } from '../command.js';
import { MalformedCommandError, StoreInvariantError } from '../errors.js';
import { command, newService, newTask, seeded } from './fixtures.js';

const META = { version: 0, createdAt: '2024-01-01T00:00:00.000Z', updatedAt: '2024-01-01T00:00:00.000Z' };
const task = { ...newTask('t1', 's1', 1), meta: META };

function nested(depth: number): unknown {
  let v: unknown = 'leaf';
  for (let i = 0; i < depth; i++) v = { v };
  return v;
}

const cases: [string, Uint8Array][] = [
  ['empty bytes', new Uint8Array()],
  ['invalid UTF-8', new Uint8Array([0xff, 0xfe, 0x7b, 0x7d])],
  ['not JSON', Buffer.from('{"v":1,"ops":[')],
  ['a JSON array', command([1, 2, 3])],
  ['a JSON string', command('hello')],
  ['JSON null', command(null)],
  ['no version', command({ ops: [] })],
  ['a future version', command({ v: 2, ops: [{ op: 'create', table: 'tasks', object: task }] })],
  ['extra envelope fields', command({ v: 1, ops: [{ op: 'create', table: 'tasks', object: task }], x: 1 })],
  ['no ops', command({ v: 1, ops: [] })],
  ['ops not an array', command({ v: 1, ops: {} })],
  ['unknown op', command({ v: 1, ops: [{ op: 'upsert', table: 'tasks', object: task }] })],
  ['unknown table', command({ v: 1, ops: [{ op: 'create', table: 'volumes', object: task }] })],
  ['op with extra fields', command({ v: 1, ops: [{ op: 'create', table: 'tasks', object: task, why: 1 }] })],
  ['object missing', command({ v: 1, ops: [{ op: 'create', table: 'tasks' }] })],
  [
    'object without meta',
    command({ v: 1, ops: [{ op: 'create', table: 'tasks', object: newTask('t1', 's', 1) }] }),
  ],
  ['numeric id', command({ v: 1, ops: [{ op: 'create', table: 'tasks', object: { ...task, id: 5 } }] })],
  [
    'id with a slash',
    command({ v: 1, ops: [{ op: 'create', table: 'tasks', object: { ...task, id: 'a/b' } }] }),
  ],
  [
    'unknown desired state',
    command({ v: 1, ops: [{ op: 'create', table: 'tasks', object: { ...task, desiredState: 'dancing' } }] }),
  ],
  [
    'negative slot',
    command({ v: 1, ops: [{ op: 'create', table: 'tasks', object: { ...task, slot: -1 } }] }),
  ],
  [
    'service with a numeric name',
    command({
      v: 1,
      ops: [
        {
          op: 'create',
          table: 'services',
          object: { ...newService('s1', 'x'), meta: META, spec: { name: 7 } },
        },
      ],
    }),
  ],
  [
    'labels that are not strings',
    command({
      v: 1,
      ops: [
        {
          op: 'create',
          table: 'configs',
          object: { id: 'c1', meta: META, spec: { name: 'c', labels: { a: 1 }, data: '' } },
        },
      ],
    }),
  ],
  ['delete without version', command({ v: 1, ops: [{ op: 'delete', table: 'tasks', id: 't1' }] })],
  [
    'delete with fractional version',
    command({ v: 1, ops: [{ op: 'delete', table: 'tasks', id: 't1', version: 1.5 }] }),
  ],
  [
    'the same object twice',
    command({
      v: 1,
      ops: [
        { op: 'create', table: 'tasks', object: task },
        { op: 'delete', table: 'tasks', id: 't1', version: 0 },
      ],
    }),
  ],
  [
    'absurdly deep nesting',
    command({
      v: 1,
      ops: [
        {
          op: 'create',
          table: 'tasks',
          object: { ...task, serviceAnnotations: { name: 'x', labels: {}, deep: nested(100) } },
        },
      ],
    }),
  ],
  ['very deep JSON', Buffer.from(`${'['.repeat(200_000)}${']'.repeat(200_000)}`)],
  [
    'an object nested 200,000 levels deep',
    Buffer.from(
      `{"v":1,"ops":[{"op":"create","table":"tasks","object":${JSON.stringify(task).slice(0, -1)},` +
        `"deep":${'{"v":'.repeat(200_000)}1${'}'.repeat(200_000)}}}]}`,
    ),
  ],
];

for (const [name, bytes] of cases) {
  test(`a command that is ${name} is refused and changes nothing`, async () => {
    const store = createLocalStore();
    await store.update((tx) => tx.create('services', newService('s1', 'web')));
    const hash = store.hash();
    const watcher = store.watch();
    const result = store.apply(store.appliedIndex + 1, bytes);
    assert.ok(
      result instanceof MalformedCommandError,
      `got ${result instanceof Error ? result.message : JSON.stringify(result)}`,
    );
    assert.equal(result.code, 'MALFORMED_COMMAND');
    assert.equal(store.hash(), hash);
    assert.equal(watcher.buffered, 0);
    // The store keeps working afterwards.
    await store.update((tx) => tx.create('tasks', newTask('t1', 's1', 1)));
    assert.equal(
      store.view((tx) => tx.count('tasks')),
      1,
    );
  });
}

test('random byte strings are all refused without throwing', () => {
  const rand = seeded(7);
  const store = createLocalStore();
  const hash = store.hash();
  for (let i = 1; i <= 2000; i++) {
    const bytes = new Uint8Array(Math.floor(rand() * 64));
    for (let j = 0; j < bytes.length; j++) bytes[j] = Math.floor(rand() * 256);
    if (rand() < 0.5 && bytes.length > 0) bytes[0] = 0x7b; // '{'
    assert.ok(store.apply(i, bytes) instanceof MalformedCommandError);
  }
  assert.equal(store.hash(), hash);
  assert.equal(store.appliedIndex, 2000);
});

test('applying an index that does not increase is a broken invariant', () => {
  const store = createLocalStore();
  const ok = command({ v: 1, ops: [{ op: 'create', table: 'tasks', object: task }] });
  store.apply(5, ok);
  assert.throws(() => store.apply(5, ok), StoreInvariantError);
  assert.throws(() => store.apply(4, ok), StoreInvariantError);
  assert.throws(() => store.apply(Number.NaN, ok), StoreInvariantError);
  assert.equal(store.appliedIndex, 5);
});

test('a patch op is encoded as the text of its fields stringified as one object', () => {
  const set = { status: { state: 'assigned', message: 'a "quoted"\nmessage' }, nodeId: 'n1' };
  for (const unset of [[], ['jobIteration', 'logDriver']]) {
    const bytes = encodeCommand([
      {
        op: 'patch',
        table: 'tasks',
        id: 't-1.x_2',
        version: 12,
        updatedAt: '2024-01-01T00:00:00.000Z',
        json: JSON.stringify(set),
        unset,
      },
    ]);
    const op = {
      op: 'patch',
      table: 'tasks',
      id: 't-1.x_2',
      version: 12,
      updatedAt: '2024-01-01T00:00:00.000Z',
      set,
      ...(unset.length === 0 ? {} : { unset }),
    };
    assert.equal(Buffer.from(bytes).toString('utf8'), JSON.stringify({ v: 1, ops: [op] }));
  }
});
