import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { AssignmentChange } from '../../../api/wire/assignments.js';
import { MalformedMessageError } from '../../../api/wire/errors.js';
import { newTask } from '../../../api/objects/test/fixtures.js';
import { ChangeAssembler } from '../change-assembler.js';

const part = (full: boolean, ids: string[], removed: string[] = []): AssignmentChange => ({
  full,
  updated: ids.map((id) => ({
    ...newTask(id, 's1', 1, 'n1'),
    meta: { version: 1, createdAt: '2024-01-01T00:00:00Z', updatedAt: '2024-01-01T00:00:00Z' },
  })),
  removed,
  secrets: [],
  configs: [],
});

test('a change in one message passes through; one in several comes out whole, once', () => {
  const a = new ChangeAssembler();
  const single = part(false, ['t1']);
  assert.equal(a.add(single, false), single);
  assert.equal(a.add(part(true, ['t1', 't2']), true), undefined);
  assert.equal(a.open, true);
  assert.equal(a.add(part(true, ['t3'], ['t9']), true), undefined);
  const whole = a.add(part(true, ['t4']), false);
  assert.equal(whole?.full, true);
  assert.deepEqual(
    whole?.updated.map((t) => t.id),
    ['t1', 't2', 't3', 't4'],
  );
  assert.deepEqual(whole?.removed, ['t9']);
  assert.equal(a.open, false);
});

test('parts that disagree or exceed the limits are refused', () => {
  const a = new ChangeAssembler({ maxParts: 3, maxEntries: 5, maxBytes: 1000 });
  a.add(part(true, ['t1']), true);
  assert.throws(() => a.add(part(false, ['t2']), false), MalformedMessageError);
  assert.equal(a.open, false);
  a.add(part(false, ['t1']), true);
  a.add(part(false, ['t2']), true);
  a.add(part(false, []), true);
  assert.throws(() => a.add(part(false, ['t3']), true), /more than 3 messages/);
  a.add(part(false, ['t1', 't2', 't3']), true);
  assert.throws(() => a.add(part(false, ['t4', 't5', 't6']), false), /5 entries/);
  a.add(part(false, ['t1']), true, 600);
  assert.throws(() => a.add(part(false, ['t2']), false, 600), /1000 bytes/);
});
