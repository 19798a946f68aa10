import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { TaskState, TaskStatus } from '../../../api/objects/index.js';
import { advances, furthest, holdsBeforeStart, isTerminal, wantsStop } from '../task-progress.js';

const s = (state: TaskState, message: string = state, err?: string): TaskStatus => ({
  timestamp: '2030-01-01T00:00:00.000Z',
  state,
  message,
  ...(err === undefined ? {} : { err }),
});

test('states only move forward, terminal states are final, news in the same state is allowed', () => {
  const cases: [TaskStatus, TaskStatus, boolean][] = [
    [s('assigned'), s('accepted'), true],
    [s('running'), s('preparing'), false],
    [s('preparing'), s('preparing', 'pulling image x'), true],
    [s('preparing', 'pulling image x'), s('preparing', 'pulling image x'), false],
    [s('running'), s('complete'), true],
    [s('complete'), s('failed'), false],
    [s('failed'), s('shutdown'), false],
    [s('failed', 'failed', 'a'), s('failed', 'failed', 'b'), false],
    [s('starting'), s('rejected'), true],
  ];
  for (const [from, to, want] of cases) assert.equal(advances(from, to), want, `${from.state} → ${to.state}`);
});

test('desired states: stop past complete, hold before running', () => {
  assert.equal(isTerminal('complete'), true);
  assert.equal(isTerminal('running'), false);
  assert.deepEqual((['running', 'complete', 'shutdown', 'remove', 'ready'] as const).map(wantsStop), [
    false,
    false,
    true,
    true,
    false,
  ]);
  assert.deepEqual((['ready', 'running', 'complete'] as const).map(holdsBeforeStart), [true, false, false]);
  assert.equal(furthest(s('assigned'), s('running')).state, 'running');
  assert.equal(furthest(s('failed'), s('assigned')).state, 'failed');
  assert.equal(furthest(s('assigned'), undefined).state, 'assigned');
});
