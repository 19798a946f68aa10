import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ManagerList } from '../manager-list.js';

test('goes round the list, a named leader first', () => {
  const m = new ManagerList(['a:1', 'b:1', 'a:1']);
  assert.deepEqual(m.addresses, ['a:1', 'b:1']);
  assert.deepEqual([m.pick(), m.pick(), m.pick()], ['a:1', 'b:1', 'a:1']);
  m.preferLeader('c:1');
  assert.equal(m.pick(), 'c:1');
  assert.equal(m.pick(), 'b:1');
  assert.deepEqual(m.addresses, ['a:1', 'b:1', 'c:1']);
});

test('takes the announced list, continuing after the current manager', () => {
  const m = new ManagerList(['join:2377']);
  m.update(['x:2377', 'y:2377', 'z:2377'], 'y:2377');
  assert.deepEqual([m.pick(), m.pick(), m.pick()], ['z:2377', 'x:2377', 'y:2377']);
  m.update([], 'x:2377');
  assert.deepEqual(m.addresses, ['x:2377', 'y:2377', 'z:2377']);
});

test('needs at least one address', () => {
  assert.throws(() => new ManagerList([]), RangeError);
});
