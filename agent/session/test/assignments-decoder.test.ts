import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MalformedMessageError } from '../../../manager/dispatcher/errors.js';
import { encodeJson } from '../../../manager/dispatcher/wire/json-codec.js';
import { AssignmentsType, newAssignmentsMessage } from '../../../manager/dispatcher/wire/service.js';
import type { Task } from '../../../manager/store/objects/index.js';
import { newSecret, newTask } from '../../../manager/store/test/fixtures.js';
import { decodeAssignments } from '../assignments-decoder.js';

const meta = { version: 3, createdAt: '2024-01-01T00:00:00Z', updatedAt: '2024-01-01T00:00:00Z' };
const task = (nodeId: string): Task => ({ ...newTask('t1', 's1', 1, nodeId), meta });

test('decodes a complete set', () => {
  const change = decodeAssignments(
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
});

test("refuses another node's task, bad IDs and garbage objects", () => {
  const bad = [
    newAssignmentsMessage({ type: AssignmentsType.INCREMENTAL, updatedTasks: [encodeJson(task('n2'))] }),
    newAssignmentsMessage({ type: AssignmentsType.INCREMENTAL, removedTasks: ['../etc'] }),
    newAssignmentsMessage({ type: AssignmentsType.INCREMENTAL, secrets: [new TextEncoder().encode('{')] }),
    newAssignmentsMessage({ type: 7 as (typeof AssignmentsType)[keyof typeof AssignmentsType] }),
  ];
  for (const m of bad) assert.throws(() => decodeAssignments(m, 'n1'), MalformedMessageError);
});
