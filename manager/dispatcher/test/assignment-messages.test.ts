import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Secret, Task } from '../../../api/objects/index.js';
import { newSecret, newTask } from '../../store/test/fixtures.js';
import { assignmentMessages, DEFAULT_MESSAGE_LIMITS } from '../assignment-messages.js';
import type { AssignmentBatch } from '../assignment-set.js';
import { decodeTask } from '../../../api/wire/json-codec.js';
import { MAX_OBJECT_BYTES } from '../../../api/wire/limits.js';
import { AssignmentsType } from '../../../api/wire/service.js';

const meta = { version: 2, createdAt: '2024-01-01T00:00:00Z', updatedAt: '2024-01-01T00:00:00Z' };

function task(id: string, labelBytes = 0, secretId?: string): Task {
  const t: Task = { ...newTask(id, 's1', 1, 'n1'), meta };
  t.status = { ...t.status, state: 'assigned' };
  if (labelBytes > 0) t.spec.containerSpec.labels = { l: 'x'.repeat(labelBytes) };
  if (secretId !== undefined)
    t.spec.containerSpec.secrets = [
      { secretId, secretName: secretId, file: { name: secretId, uid: '0', gid: '0', mode: 0o444 } },
    ];
  return t;
}

function batch(full: boolean, updated: Task[], extra: Partial<AssignmentBatch> = {}): AssignmentBatch {
  return { full, updated, removed: [], secrets: [], configs: [], index: 7, ...extra };
}

test('a batch within the limits is one message, as before', () => {
  const { messages, refused } = assignmentMessages(batch(true, [task('t1'), task('t2')]), {
    networkView: new Uint8Array([123, 125]),
  });
  assert.equal(messages.length, 1);
  assert.equal(messages[0]?.type, AssignmentsType.COMPLETE);
  assert.equal(messages[0]?.more, false);
  assert.equal(messages[0]?.index, 7);
  assert.equal(messages[0]?.networkView.byteLength, 2);
  assert.deepEqual(
    messages[0]?.updatedTasks.map((b) => decodeTask(b).id),
    ['t1', 't2'],
  );
  assert.deepEqual(refused, []);
});

test('a larger batch is split by bytes and by entries; only the last has more unset; the view goes first', () => {
  const tasks = Array.from({ length: 7 }, (_, i) => task(`t${i}`, 3000));
  const { messages } = assignmentMessages(
    batch(false, tasks, { removed: ['r1', 'r2'] }),
    { networkViewUpdate: new Uint8Array([1]) },
    { ...DEFAULT_MESSAGE_LIMITS, maxObjectBytes: 8000, maxEntries: 3 },
  );
  assert.ok(messages.length >= 4, `${messages.length} messages`);
  for (const [i, m] of messages.entries()) {
    assert.equal(m.type, AssignmentsType.INCREMENTAL);
    assert.equal(m.more, i < messages.length - 1);
    assert.equal(m.networkViewUpdate.byteLength, i === 0 ? 1 : 0);
    const entries = m.updatedTasks.length + m.removedTasks.length;
    assert.ok(entries <= 3);
    const bytes = m.updatedTasks.reduce((n, b) => n + b.byteLength, 0);
    assert.ok(bytes <= 8000 || m.updatedTasks.length === 1);
  }
  assert.deepEqual(
    messages.flatMap((m) => m.updatedTasks.map((b) => decodeTask(b).id)),
    tasks.map((t) => t.id),
  );
  assert.deepEqual(
    messages.flatMap((m) => m.removedTasks),
    ['r1', 'r2'],
  );
});

test('what a node cannot take is left out and refused with a reason; the rest is sent', () => {
  const big: Secret = { ...newSecret('sbig', 'cert'), meta };
  big.spec.data = 'A'.repeat(MAX_OBJECT_BYTES);
  const ok: Secret = { ...newSecret('sok', 'pw'), meta };
  const tooLarge = task('tbig', MAX_OBJECT_BYTES);
  const needsBig = task('tneeds', 0, 'sbig');
  const cyclic = task('tcycle');
  (cyclic as unknown as Record<string, unknown>)['self'] = cyclic;

  const incremental = assignmentMessages(
    batch(false, [task('t1'), tooLarge, needsBig, cyclic, task('t2', 0, 'sok')], {
      secrets: [big, ok],
    }),
    undefined,
  );
  const m = incremental.messages[0];
  assert.equal(incremental.messages.length, 1);
  assert.deepEqual(
    m?.updatedTasks.map((b) => decodeTask(b).id),
    ['t1', 't2'],
  );
  assert.equal(m?.secrets.length, 1);
  // Refused tasks are taken off the node, in case it holds an earlier copy.
  assert.deepEqual([...(m?.removedTasks ?? [])].sort(), ['tbig', 'tcycle', 'tneeds']);
  const reasons = new Map(
    incremental.refused.map((r) => [r.kind === 'task' ? r.task.id : `${r.kind}:${r.id}`, r.reason]),
  );
  assert.match(reasons.get('tbig') ?? '', /^task is 2\.1 MB, more than the 2 MiB a node can receive: shrink/);
  assert.match(reasons.get('secret:sbig') ?? '', /^secret "cert" \(sbig\) is 2\.1 MB, more than the 2 MiB/);
  assert.equal(reasons.get('tneeds'), reasons.get('secret:sbig'));
  assert.match(reasons.get('tcycle') ?? '', /cannot be encoded/);

  // In a full set, leaving a task out is enough: the node drops what the set does not hold.
  const full = assignmentMessages(batch(true, [task('t1'), tooLarge]), undefined);
  assert.deepEqual(full.messages[0]?.removedTasks, []);
  assert.equal(full.refused.length, 1);
});
