import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createLocalStore } from '../../store/index.js';
import type { TaskState, TaskStatus } from '../../../api/objects/index.js';
import { newTask } from '../../store/test/fixtures.js';
import { applyStatusReports, type StatusOutcome } from '../task-status-writes.js';

const status = (state: TaskState, message: string = state): TaskStatus => ({
  timestamp: '2024-01-01T00:00:01.000Z',
  state,
  message,
});

const cases: { name: string; stored: TaskState; node: string; report: TaskStatus; want: StatusOutcome }[] = [
  { name: 'forward move', stored: 'assigned', node: 'n1', report: status('running'), want: 'applied' },
  {
    name: 'same state, new message',
    stored: 'preparing',
    node: 'n1',
    report: status('preparing', 'pulling'),
    want: 'applied',
  },
  {
    name: 'repeat of the stored status',
    stored: 'running',
    node: 'n1',
    report: status('running'),
    want: 'unchanged',
  },
  { name: 'backwards move', stored: 'running', node: 'n1', report: status('starting'), want: 'backwards' },
  {
    name: 'out of a terminal state',
    stored: 'failed',
    node: 'n1',
    report: status('running'),
    want: 'backwards',
  },
  {
    name: 'another node reports',
    stored: 'assigned',
    node: 'n2',
    report: status('running'),
    want: 'other-node',
  },
];

for (const c of cases) {
  test(`status report: ${c.name} -> ${c.want}`, async () => {
    const store = createLocalStore();
    await store.update((tx) =>
      tx.create('tasks', { ...newTask('t1', 's1', 1, 'n1'), status: status(c.stored) }),
    );
    const before = store.view((tx) => tx.get('tasks', 't1'));
    const outcomes = await store.update((tx) =>
      applyStatusReports(
        tx,
        [{ nodeId: c.node, taskId: 't1', status: c.report }],
        '2024-01-01T00:00:02.000Z',
      ),
    );
    assert.deepEqual(outcomes, [c.want]);
    const after = store.view((tx) => tx.get('tasks', 't1'));
    if (c.want === 'applied') {
      assert.equal(after?.status.state, c.report.state);
      assert.equal(after?.status.appliedBy, c.node);
      assert.equal(after?.status.appliedAt, '2024-01-01T00:00:02.000Z');
    } else {
      assert.deepEqual(after, before);
    }
  });
}

test('unknown tasks are ignored, and a batch sees its own earlier writes', async () => {
  const store = createLocalStore();
  await store.update((tx) =>
    tx.create('tasks', { ...newTask('t1', 's1', 1, 'n1'), status: status('assigned') }),
  );
  const outcomes = await store.update((tx) =>
    applyStatusReports(
      tx,
      [
        { nodeId: 'n1', taskId: 'nope', status: status('running') },
        { nodeId: 'n1', taskId: 't1', status: status('running') },
        { nodeId: 'n1', taskId: 't1', status: status('starting') },
      ],
      '2024-01-01T00:00:02.000Z',
    ),
  );
  assert.deepEqual(outcomes, ['unknown-task', 'applied', 'backwards']);
  assert.equal(store.view((tx) => tx.get('tasks', 't1'))?.status.state, 'running');
});
