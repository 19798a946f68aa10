// Shared specs: the tasks one command creates from a stored service template carry that spec
// once. Every replica gives them one decoded spec, equal to the template; a command that names
// shared specs wrongly is refused whole and changes nothing.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MalformedCommandError } from '../errors.js';
import { command, newService, newTask, replicated } from './fixtures.js';

const META = { version: 0, createdAt: '2024-01-01T00:00:00.000Z', updatedAt: '2024-01-01T00:00:00.000Z' };

test('tasks made from a stored template send its spec once, and every replica shares one copy', async () => {
  const { proposer, leader, followers } = replicated(1);
  await leader.update((tx) => {
    tx.create('services', newService('s1', 'web'));
    tx.create('services', newService('s2', 'api'));
  });
  const [t1, t2] = leader.view((tx) => [tx.get('services', 's1')!, tx.get('services', 's2')!]);
  await leader.update((tx) => {
    for (let i = 0; i < 10; i++) {
      const service = i % 2 === 0 ? t1 : t2;
      tx.create('tasks', { ...newTask(`t${i}`, service.id, i + 1), spec: service.spec.taskTemplate });
    }
    // Read back inside the transaction: the template itself.
    assert.equal(tx.get('tasks', 't0')!.spec, t1.spec.taskTemplate);
  });
  const sent = JSON.parse(Buffer.from(proposer.log.at(-1)!.command).toString('utf8')) as {
    specs: unknown[];
    ops: { spec?: number; object: Record<string, unknown> }[];
  };
  assert.equal(sent.specs.length, 2, 'one spec per template');
  assert.deepEqual(
    sent.ops.map((op) => op.spec),
    [0, 1, 0, 1, 0, 1, 0, 1, 0, 1],
  );
  assert.ok(sent.ops.every((op) => !('spec' in op.object)));
  for (const store of [leader, ...followers]) {
    const tasks = store.view((tx) => tx.find('tasks', 'serviceId', 's1'));
    assert.equal(tasks.length, 5);
    assert.deepEqual(tasks[0]!.spec, t1.spec.taskTemplate);
    assert.ok(Object.isFrozen(tasks[0]!.spec) && Object.isFrozen(tasks[0]!.spec.containerSpec));
    for (const t of tasks) assert.equal(t.spec, tasks[0]!.spec, 'one decoded spec for all of them');
  }
  assert.equal(followers[0]!.hash(), leader.hash());
});

test('a spec that is not a stored one is sent inside its object', async () => {
  const { proposer, leader } = replicated();
  await leader.update((tx) => tx.create('services', newService('s1', 'web')));
  await leader.update((tx) => tx.create('tasks', newTask('t1', 's1', 1)));
  const sent = JSON.parse(Buffer.from(proposer.log.at(-1)!.command).toString('utf8')) as Record<
    string,
    unknown
  >;
  assert.equal(sent['specs'], undefined);
});

const object = (): Record<string, unknown> => {
  const { spec: _spec, ...rest } = { ...newTask('t1', 's1', 1), meta: META };
  return rest;
};
const spec = newTask('t1', 's1', 1).spec;

function nested(depth: number): unknown {
  let v: unknown = [];
  for (let i = 0; i < depth; i++) v = { v };
  return v;
}

const hostile: [string, unknown][] = [
  [
    'specs that are not an array',
    { v: 1, specs: {}, ops: [{ op: 'create', table: 'tasks', object: object(), spec: 0 }] },
  ],
  [
    'a spec that is not an object',
    { v: 1, specs: [1], ops: [{ op: 'create', table: 'tasks', object: object(), spec: 0 }] },
  ],
  [
    'a spec that is not a task spec',
    {
      v: 1,
      specs: [{ containerSpec: 1 }],
      ops: [{ op: 'create', table: 'tasks', object: object(), spec: 0 }],
    },
  ],
  [
    'an index past the end',
    { v: 1, specs: [spec], ops: [{ op: 'create', table: 'tasks', object: object(), spec: 1 }] },
  ],
  [
    'a negative index',
    { v: 1, specs: [spec], ops: [{ op: 'create', table: 'tasks', object: object(), spec: -1 }] },
  ],
  [
    'a string index',
    { v: 1, specs: [spec], ops: [{ op: 'create', table: 'tasks', object: object(), spec: '0' }] },
  ],
  [
    'an index and a spec in the object',
    { v: 1, specs: [spec], ops: [{ op: 'create', table: 'tasks', object: { ...object(), spec }, spec: 0 }] },
  ],
  [
    'an index on an object that is not one',
    { v: 1, specs: [spec], ops: [{ op: 'create', table: 'tasks', object: [1], spec: 0 }] },
  ],
  [
    'a spec nested too deep',
    {
      v: 1,
      specs: [{ ...spec, deep: nested(31) }],
      ops: [{ op: 'create', table: 'tasks', object: object(), spec: 0 }],
    },
  ],
  [
    'the rest nested too deep',
    {
      v: 1,
      specs: [spec],
      ops: [{ op: 'create', table: 'tasks', object: { ...object(), deep: nested(40) }, spec: 0 }],
    },
  ],
];

for (const [name, cmd] of hostile) {
  test(`a command with ${name} is refused and changes nothing`, async () => {
    const { leader } = replicated();
    await leader.update((tx) => tx.create('services', newService('s1', 'web')));
    const hash = leader.hash();
    const result = leader.apply(leader.appliedIndex + 1, command(cmd));
    assert.ok(result instanceof MalformedCommandError, `got ${JSON.stringify(result)}`);
    assert.equal(leader.hash(), hash);
  });
}

test('a shared spec is bounded in depth exactly as the same spec inside its object', () => {
  for (const depth of [28, 29, 30]) {
    const deep = { ...spec, deep: nested(depth) };
    const inline = { v: 1, ops: [{ op: 'create', table: 'tasks', object: { ...object(), spec: deep } }] };
    const shared = {
      v: 1,
      specs: [deep],
      ops: [{ op: 'create', table: 'tasks', object: object(), spec: 0 }],
    };
    const outcomes = [inline, shared].map(
      (cmd) => replicated().leader.apply(1, command(cmd)) instanceof MalformedCommandError,
    );
    assert.equal(outcomes[0], outcomes[1], `depth ${depth}`);
    assert.equal(outcomes[0], depth > 29, `depth ${depth}`);
  }
});
