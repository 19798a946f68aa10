// Table.replace (an update in a table without unique keys): only the index keys that change
// move, shared parts are kept counted, a failure half way puts everything back, and an
// applyTransaction that fails after replacing objects undoes the replacements too.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { applyTransaction } from '../apply-txn.js';
import { StoreInvariantError } from '../errors.js';
import type { IndexDef } from '../indexes.js';
import { Table } from '../table.js';
import { Tables } from '../tables.js';
import { newTask } from './fixtures.js';
import type { Task } from '../../../api/objects/index.js';
import { SHARED_FIELDS } from '../shared-parts.js';
import { deepFreeze } from '../freeze.js';

const AT = '2024-01-01T00:00:00.000Z';

function stored(task: ReturnType<typeof newTask>, version = 1): Task {
  return deepFreeze(
    JSON.parse(JSON.stringify({ ...task, meta: { version, createdAt: AT, updatedAt: AT } })) as Task,
  );
}

function ids(table: Table<Task>, index: string, key: string): string[] {
  return table
    .find(index, key)
    .map((t) => t.id)
    .sort();
}

test('replace moves the keys that change and leaves the others', () => {
  const table = new Tables().get('tasks');
  table.insert(stored(newTask('a', 's1', 1)));
  table.insert(stored(newTask('b', 's1', 2, 'n1')));
  const before = table.get('a')!;
  const old = table.replace(stored({ ...newTask('a', 's1', 1, 'n1') }, 2));
  assert.equal(old, before, 'returns the object it replaced');
  assert.equal(table.get('a')!.meta.version, 2);
  assert.equal(table.get('a')!.nodeId, 'n1');
  assert.deepEqual(ids(table, 'nodeId', 'n1'), ['a', 'b']);
  assert.deepEqual(ids(table, 'serviceNode', 's1/n1'), ['a', 'b']);
  assert.deepEqual(ids(table, 'serviceId', 's1'), ['a', 'b']);
  assert.deepEqual(ids(table, 'serviceSlot', 's1/1'), ['a']);
  assert.deepEqual(ids(table, 'desiredState', 'running'), ['a', 'b']);
  // A key that goes away (the task leaves its node, its service changes) is dropped.
  table.replace(stored(newTask('a', 's2', 1), 3));
  assert.deepEqual(ids(table, 'nodeId', 'n1'), ['b']);
  assert.deepEqual(ids(table, 'serviceNode', 's1/n1'), ['b']);
  assert.deepEqual(ids(table, 'serviceId', 's1'), ['b']);
  assert.deepEqual(ids(table, 'serviceId', 's2'), ['a']);
  assert.deepEqual(ids(table, 'serviceSlot', 's2/1'), ['a']);
  assert.throws(() => table.replace(stored(newTask('nope', 's1', 1))), StoreInvariantError);
});

test('replace keeps shared parts counted: a value both objects hold stays, one no object holds goes', () => {
  const table = new Tables().get('tasks');
  table.insert(stored(newTask('a', 's1', 1, 'n1')));
  table.insert(stored(newTask('b', 's1', 2, 'n1')));
  const sizes = table.sharedSizes();
  // Same spec (an equal copy), another node: the spec stays shared, n2 joins the pool.
  table.replace(stored(newTask('a', 's1', 1, 'n2'), 2));
  assert.equal(table.get('a')!.spec, table.get('b')!.spec);
  assert.deepEqual(table.sharedSizes(), { ...sizes, nodeId: 2 });
  // Both tasks leave n1 for n2: n1 is dropped with its last holder.
  table.replace(stored(newTask('b', 's1', 2, 'n2'), 2));
  assert.deepEqual(table.sharedSizes(), sizes);
  // A new spec for both: the old one is dropped once neither holds it.
  const spec = { ...newTask('a', 's1', 1).spec, forceUpdate: 1 };
  table.replace(stored({ ...newTask('a', 's1', 1, 'n2'), spec }, 3));
  assert.equal(table.sharedSizes()['spec'], 2);
  table.replace(stored({ ...newTask('b', 's1', 2, 'n2'), spec }, 3));
  assert.equal(table.sharedSizes()['spec'], 1);
  assert.equal(table.get('a')!.spec, table.get('b')!.spec);
});

test('a replace that fails half way leaves the table, its indexes and its shared parts as they were', () => {
  let refuse = false;
  const defs: Record<string, IndexDef<Task>> = {
    nodeId: { unique: false, value: (t) => t.nodeId },
    // Throws for the new object only: after nodeId has moved.
    picky: {
      unique: false,
      value: (t) => {
        if (refuse && t.meta.version === 2) throw new RangeError('refused');
        return t.serviceId;
      },
    },
  };
  const table = new Table<Task>('tasks', defs, SHARED_FIELDS.tasks);
  table.insert(stored(newTask('a', 's1', 1, 'n1')));
  table.insert(stored(newTask('b', 's1', 2, 'n1')));
  const before = table.get('a')!;
  const sizes = table.sharedSizes();
  refuse = true;
  assert.throws(() => table.replace(stored(newTask('a', 's2', 1, 'n2'), 2)), RangeError);
  refuse = false;
  assert.equal(table.get('a'), before);
  assert.deepEqual(ids(table, 'nodeId', 'n1'), ['a', 'b']);
  assert.deepEqual(ids(table, 'nodeId', 'n2'), []);
  assert.deepEqual(ids(table, 'picky', 's1'), ['a', 'b']);
  assert.deepEqual(table.sharedSizes(), sizes);
});

test('applyTransaction that fails after replacing an object puts the replaced object back', () => {
  const tables = new Tables();
  const table = tables.get('tasks');
  table.insert(stored(newTask('a', 's1', 1)));
  table.insert(stored(newTask('b', 's1', 2, 'n1')));
  const before = table.get('a')!;
  const sizes = table.sharedSizes();
  const update = stored(newTask('a', 's1', 1, 'n1'));
  // A create of an object that exists: the check would refuse it; applying it breaks an invariant.
  const again = stored(newTask('b', 's1', 2, 'n1'));
  assert.throws(
    () =>
      applyTransaction(
        tables,
        [
          { op: 'update', table: 'tasks', object: update },
          { op: 'create', table: 'tasks', object: again },
        ],
        7,
      ),
    StoreInvariantError,
  );
  // Put back with equal content (the table may hold a copy that shares its parts).
  assert.deepEqual(table.get('a'), before);
  assert.equal(table.get('a')!.meta.version, 1);
  assert.deepEqual(ids(table, 'nodeId', 'n1'), ['b']);
  assert.deepEqual(ids(table, 'serviceNode', 's1/n1'), ['b']);
  assert.deepEqual(table.sharedSizes(), sizes);
  // The same update alone applies, as an update event holding the object it replaced.
  const held = table.get('a');
  const events = applyTransaction(tables, [{ op: 'update', table: 'tasks', object: update }], 8);
  assert.equal(events.length, 1);
  const e = events[0]!;
  assert.ok(e.action === 'update' && e.table === 'tasks');
  assert.equal(e.oldObject, held);
  assert.equal(e.object, table.get('a'));
  assert.equal(table.get('a')!.meta.version, 8);
  assert.deepEqual(ids(table, 'nodeId', 'n1'), ['a', 'b']);
});
