import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { TaskStatusReport } from '../../../api/wire/assignments.js';
import { StatusQueue } from '../status-queue.js';

const report = (taskId: string, state: 'starting' | 'running'): TaskStatusReport => ({
  taskId,
  status: { timestamp: '2024-01-01T00:00:00Z', state, message: state },
});

test('keeps the latest report per task until a manager accepts it', () => {
  const q = new StatusQueue();
  q.add([report('a', 'starting'), report('b', 'starting')]);
  const sent = q.peek(10);
  assert.deepEqual(
    sent.map((r) => r.taskId),
    ['a', 'b'],
  );
  // 'a' moves on while the batch is in flight: its newer report must survive the ack.
  q.add([report('a', 'running')]);
  q.ack(sent);
  assert.equal(q.size, 1);
  assert.equal(q.peek(10)[0]?.status.state, 'running');
});

test('a failed send leaves everything queued; batches are bounded', () => {
  const q = new StatusQueue();
  q.add(Array.from({ length: 5 }, (_, i) => report(`t${i}`, 'running')));
  assert.equal(q.peek(2).length, 2);
  assert.equal(q.size, 5);
});
