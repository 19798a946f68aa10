import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MalformedMessageError } from '../../../api/wire/errors.js';
import { encodeJson, MAX_OBJECT_BYTES } from '../../../api/wire/json-codec.js';
import { MAX_MESSAGE_ENTRIES } from '../../../api/wire/limits.js';
import { AssignmentsType, newAssignmentsMessage } from '../../../api/wire/service.js';
import type { Task } from '../../../api/objects/index.js';
import { newSecret, newTask } from '../../../api/objects/test/fixtures.js';
import { decodeAssignments, taskIdOf, UNREADABLE_MESSAGE } from '../assignments-decoder.js';

const meta = { version: 3, createdAt: '2024-01-01T00:00:00Z', updatedAt: '2024-01-01T00:00:00Z' };
const task = (nodeId: string, id = 't1'): Task => ({ ...newTask(id, 's1', 1, nodeId), meta });
const at = new Date('2030-01-01T00:00:00Z');
const now = (): Date => at;
const bytes = (s: string): Uint8Array => new TextEncoder().encode(s);

test('decodes a complete set', () => {
  const { change, rejected, problems, more } = decodeAssignments(
    newAssignmentsMessage({
      type: AssignmentsType.COMPLETE,
      updatedTasks: [encodeJson(task('n1'))],
      secrets: [encodeJson({ ...newSecret('s1', 'pw'), meta })],
    }),
    'n1',
  );
  assert.equal(change.full, true);
  assert.deepEqual(change.updated, [task('n1')]);
  assert.equal(change.secrets[0]?.spec.name, 'pw');
  assert.deepEqual(change.removed, []);
  assert.deepEqual(rejected, []);
  assert.deepEqual(problems, []);
  assert.equal(more, false);
});

test('a malformed entry among good ones is left out and reported; the good ones are applied', () => {
  const huge = task('n1', 'tbig');
  huge.spec.containerSpec.labels = { big: 'x'.repeat(MAX_OBJECT_BYTES) };
  const noState = { ...task('n1', 'tshape'), status: { timestamp: 'x', message: '' } };
  const { change, rejected, problems, viewFailed } = decodeAssignments(
    newAssignmentsMessage({
      type: AssignmentsType.INCREMENTAL,
      updatedTasks: [
        encodeJson(task('n1', 'tgood1')),
        encodeJson(huge),
        encodeJson(noState),
        bytes('{"id": "tgarbled", '),
        encodeJson(task('n2', 'tother')),
        encodeJson(task('n1', 'tgood2')),
      ],
      removedTasks: ['tgone', '../etc'],
      secrets: [bytes('{'), encodeJson({ ...newSecret('s1', 'pw'), meta })],
      networkViewUpdate: bytes('{"nodeId":"n1","networks":[{"keep":"net-i-do-not-hold"}]}'),
    }),
    'n1',
    undefined,
    now,
  );
  assert.deepEqual(
    change.updated.map((t) => t.id),
    ['tgood1', 'tgood2'],
  );
  assert.deepEqual(
    change.secrets.map((s) => s.id),
    ['s1'],
  );
  // The unreadable tasks of this node are reported rejected and taken off it.
  assert.deepEqual(
    rejected.map((r) => r.taskId),
    ['tbig', 'tshape', 'tgarbled'],
  );
  assert.deepEqual([...change.removed].sort(), ['tbig', 'tgarbled', 'tgone', 'tshape']);
  const big = rejected[0]?.status;
  assert.equal(big?.state, 'rejected');
  assert.equal(big?.message, UNREADABLE_MESSAGE);
  assert.equal(big?.timestamp, at.toISOString());
  assert.match(big?.err ?? '', /task is \d+ bytes, more than the limit of 2097152/);
  // Another node's task, the bad ID, the bad secret and the view are left out, each said why.
  assert.equal(problems.length, 7);
  assert.ok(problems.some((p) => /tother is assigned to another node/.test(p)));
  assert.equal(viewFailed, true);
  assert.equal(change.networks, undefined);
});

test('a task too large to parse is still reported by its leading ID', () => {
  const huge = task('n1', 'tbig');
  huge.spec.containerSpec.labels = { big: 'x'.repeat(MAX_OBJECT_BYTES) };
  assert.equal(taskIdOf(encodeJson(huge), 'n1'), 'tbig');
  assert.equal(taskIdOf(encodeJson(task('n2', 'tother')), 'n1'), undefined);
  assert.equal(taskIdOf(bytes('garbage'), 'n1'), undefined);
  assert.equal(taskIdOf(bytes('{"id":"../../x"}'), 'n1'), undefined);
});

test('a message wrong as a whole is refused: unknown type, too many entries', () => {
  const unknownType = newAssignmentsMessage({
    type: 7 as (typeof AssignmentsType)[keyof typeof AssignmentsType],
  });
  assert.throws(() => decodeAssignments(unknownType, 'n1'), MalformedMessageError);
  const tooMany = newAssignmentsMessage({
    type: AssignmentsType.INCREMENTAL,
    removedTasks: Array.from({ length: MAX_MESSAGE_ENTRIES + 1 }, (_, i) => `t${i}`),
  });
  assert.throws(() => decodeAssignments(tooMany, 'n1'), /more than the limit of 50000/);
  // Both a view and an update: the view is left out, the rest goes on.
  const both = newAssignmentsMessage({
    type: AssignmentsType.INCREMENTAL,
    removedTasks: ['t1'],
    networkView: bytes('{}'),
    networkViewUpdate: bytes('{}'),
  });
  const decoded = decodeAssignments(both, 'n1');
  assert.equal(decoded.viewFailed, true);
  assert.deepEqual(decoded.change.removed, ['t1']);
});
