// Tasks share equal specs, annotations and IDs while they are in the table: only identity
// changes (hash, snapshot, events see equal content), and a shared value is dropped with its
// last holder.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createLocalStore } from '../local-proposer.js';
import { MAX_VALUES_PER_BUCKET, SharedParts, SHARED_FIELDS } from '../shared-parts.js';
import { sameJson } from '../same-json.js';
import { Tables } from '../tables.js';
import { newService, newTask, replicated, taskSpec } from './fixtures.js';
import type { Service, Task } from '../../../api/objects/index.js';

const AT = '2024-01-01T00:00:00.000Z';

function stored(task: ReturnType<typeof newTask>, version = 1): Task {
  const at = '2024-01-01T00:00:00.000Z';
  return JSON.parse(JSON.stringify({ ...task, meta: { version, createdAt: at, updatedAt: at } })) as Task;
}

test('sameJson is exact: key order and types count', () => {
  assert.ok(sameJson({ a: [1, { b: null }] }, { a: [1, { b: null }] }));
  assert.ok(!sameJson({ a: 1, b: 2 }, { b: 2, a: 1 }));
  assert.ok(!sameJson([1], { 0: 1 }));
  assert.ok(!sameJson({ a: 1 }, { a: 1, b: undefined }));
  assert.ok(!sameJson('1', 1));
});

test('tasks of one service hold one spec; the store, its events and its hash are unchanged', async () => {
  const { leader, followers } = replicated(1);
  const events: Task[] = [];
  const watcher = leader.watch();
  await leader.update((tx) => {
    for (let i = 0; i < 5; i++) tx.create('tasks', newTask(`t${i}`, 's1', i + 1));
    tx.create('tasks', newTask('u0', 's2', 1));
  });
  for (const e of watcher.drain()) if (e.action === 'create' && e.table === 'tasks') events.push(e.object);
  watcher.close();
  const tasks = leader.view((tx) => ['t0', 't1', 't4', 'u0'].map((id) => tx.get('tasks', id)!));
  assert.equal(tasks[0]!.spec, tasks[1]!.spec);
  assert.equal(tasks[0]!.spec, tasks[2]!.spec);
  assert.equal(tasks[0]!.serviceAnnotations, tasks[1]!.serviceAnnotations);
  assert.notEqual(tasks[0]!.spec, tasks[3]!.spec, 'another service: another bucket');
  assert.ok(Object.isFrozen(tasks[1]));
  // Events hand on the very objects the table keeps.
  assert.equal(events.length, 6);
  for (const e of events)
    assert.equal(
      e,
      leader.view((tx) => tx.get('tasks', e.id)),
    );
  // Sharing is identity only: a store that shares nothing would hash the same content alike.
  assert.equal(leader.hash(), followers[0]!.hash());
  const copy = createLocalStore();
  copy.restore(leader.appliedIndex, leader.snapshot(1));
  assert.equal(copy.hash(), leader.hash());
});

test('a shared value is released with its last holder, so the pool follows the table', () => {
  const tables = new Tables();
  const table = tables.get('tasks');
  for (let i = 0; i < 10; i++) table.insert(stored(newTask(`t${i}`, 's1', i + 1, `n${i % 3}`)));
  assert.deepEqual(table.sharedSizes(), { spec: 1, serviceAnnotations: 1, serviceId: 1, nodeId: 3 });
  const first = table.get('t0')!;
  assert.equal(table.get('t9')!.spec, first.spec);
  assert.equal(table.get('t9')!.nodeId, 'n0');
  for (let i = 0; i < 10; i++) table.delete(`t${i}`);
  assert.deepEqual(table.sharedSizes(), { spec: 0, serviceAnnotations: 0, serviceId: 0, nodeId: 0 });
  // A new task after that keeps its own spec (nothing stale is handed out).
  const fresh = stored(newTask('t10', 's1', 1));
  table.insert(fresh);
  assert.equal(table.get('t10'), fresh);
});

test('a bucket holds at most MAX_VALUES_PER_BUCKET distinct values; the rest stay unshared', () => {
  const parts = new SharedParts<Task>(SHARED_FIELDS.tasks);
  const n = MAX_VALUES_PER_BUCKET + 3;
  const held: Task[] = [];
  for (let i = 0; i < n; i++) {
    held.push(parts.take(stored({ ...newTask(`t${i}`, 's1', 1), spec: taskSpec(`img:${i}`) })));
  }
  assert.equal(parts.sizes()['spec'], MAX_VALUES_PER_BUCKET);
  const again = parts.take(stored({ ...newTask('again', 's1', 1), spec: taskSpec('img:0') }));
  assert.equal(again.spec, held[0]!.spec);
  const unshared = parts.take(stored({ ...newTask('late', 's1', 1), spec: taskSpec(`img:${n - 1}`) }));
  assert.notEqual(unshared.spec, held[n - 1]!.spec);
  assert.ok(sameJson(unshared.spec, held[n - 1]!.spec));
  for (const t of [...held, again, unshared]) parts.release(t);
  assert.equal(parts.sizes()['spec'], 0);
});

test('an index key holds a bare ID until a second one comes, and goes back to it', () => {
  const tables = new Tables();
  const table = tables.get('tasks');
  const slot = table.index('serviceSlot');
  table.insert(stored(newTask('a', 's1', 1)));
  assert.deepEqual([...slot.ids('s1/1')], ['a']);
  table.insert(stored(newTask('b', 's1', 1)));
  assert.deepEqual([...slot.ids('s1/1')].sort(), ['a', 'b']);
  assert.equal(slot.count('s1/1'), 2);
  table.delete('a');
  assert.deepEqual([...slot.ids('s1/1')], ['b']);
  table.delete('b');
  assert.equal(slot.count('s1/1'), 0);
  assert.deepEqual([...slot.ids('s1/1')], []);
});

test('an object the table owns gets the shared parts put into it and is kept, frozen, without a copy', () => {
  const table = new Tables().get('tasks');
  table.insert(stored(newTask('a', 's1', 1, 'n1')));
  const first = table.get('a')!;
  const fresh = stored(newTask('b', 's1', 2, 'n1'));
  assert.ok(!Object.isFrozen(fresh));
  assert.notEqual(fresh.spec, first.spec);
  table.insert(fresh, true);
  assert.equal(table.get('b'), fresh, 'kept, not copied');
  assert.ok(Object.isFrozen(fresh));
  assert.equal(fresh.spec, first.spec, 'the pooled spec was put in');
  assert.equal(fresh.serviceAnnotations, first.serviceAnnotations);
  const moved = stored(newTask('b', 's1', 2, 'n2'), 2);
  assert.equal(table.replace(moved, true), fresh);
  assert.equal(table.get('b'), moved);
  assert.equal(moved.spec, first.spec);
  assert.deepEqual(table.sharedSizes(), { spec: 1, serviceAnnotations: 1, serviceId: 1, nodeId: 2 });
  // A table without shared parts freezes what it owns, too.
  const services = new Tables().get('services');
  const service: Service = { ...newService('s1', 'web'), meta: { version: 1, createdAt: AT, updatedAt: AT } };
  services.insert(service, true);
  assert.equal(services.get('s1'), service);
  assert.ok(Object.isFrozen(service));
});
