// Decision tables: restart policy, update batches and failure ratio, update status transitions,
// and what the reaper deletes.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { RestartPolicy, TaskState } from '../../../api/objects/index.js';
import { historyToDelete, removal } from '../reaper/select.js';
import { RestartHistory } from '../restart/restart-history.js';
import { restartDelay, shouldRestart } from '../restart/restart-policy.js';
import { countsAsFailure, failureExceeded, planBatches, updateConfigFor } from '../update/update-config.js';
import { completeUpdate, pauseUpdate, rollBack, startUpdate } from '../update/update-status.js';
import { node, service, task } from '../../test/objects.js';

const policy = (p: Partial<RestartPolicy>): RestartPolicy => ({
  condition: 'any',
  delay: 5000,
  maxAttempts: 0,
  window: 0,
  ...p,
});

const restartCases: {
  name: string;
  policy: Partial<RestartPolicy>;
  state: TaskState;
  job?: boolean;
  restarts?: number[];
  now?: number;
  want: boolean;
}[] = [
  { name: 'any restarts a failure', policy: {}, state: 'failed', want: true },
  { name: 'any restarts a completion', policy: {}, state: 'complete', want: true },
  { name: 'none never restarts', policy: { condition: 'none' }, state: 'failed', want: false },
  { name: 'on-failure restarts a failure', policy: { condition: 'on-failure' }, state: 'failed', want: true },
  {
    name: 'on-failure restarts a rejection',
    policy: { condition: 'on-failure' },
    state: 'rejected',
    want: true,
  },
  {
    name: 'on-failure leaves a completion',
    policy: { condition: 'on-failure' },
    state: 'complete',
    want: false,
  },
  { name: 'a completed job task never restarts', policy: {}, state: 'complete', job: true, want: false },
  { name: 'a failed job task restarts', policy: {}, state: 'failed', job: true, want: true },
  { name: 'under maxAttempts', policy: { maxAttempts: 3 }, state: 'failed', restarts: [1, 2], want: true },
  { name: 'maxAttempts used up', policy: { maxAttempts: 2 }, state: 'failed', restarts: [1, 2], want: false },
  {
    name: 'restarts outside the window do not count',
    policy: { maxAttempts: 2, window: 60_000 },
    state: 'failed',
    restarts: [1000, 2000, 100_000],
    now: 120_000,
    want: true,
  },
  {
    name: 'restarts inside the window count',
    policy: { maxAttempts: 2, window: 60_000 },
    state: 'failed',
    restarts: [70_000, 100_000],
    now: 120_000,
    want: false,
  },
];

for (const c of restartCases) {
  test(`shouldRestart: ${c.name}`, () => {
    assert.equal(
      shouldRestart({
        policy: policy(c.policy),
        state: c.state,
        job: c.job ?? false,
        restarts: c.restarts ?? [],
        now: c.now ?? 10_000,
      }),
      c.want,
    );
  });
}

test('restartDelay: the policy delay, none for drained or lost nodes', () => {
  const p = policy({ delay: 7000 });
  assert.equal(restartDelay(p, node('n1'), false), 7000);
  assert.equal(
    restartDelay(
      p,
      node('n1', (n) => void (n.spec.availability = 'drain')),
      false,
    ),
    0,
  );
  assert.equal(restartDelay(p, node('n1'), true), 0);
  assert.equal(restartDelay(p, undefined, false), 0);
});

test('RestartHistory counts per slot and starts over with a new spec', () => {
  const svc = service('s1');
  const h = new RestartHistory();
  const a = task('a', svc, { slot: 1 });
  h.record(a, 10);
  h.record(a, 20);
  assert.deepEqual(h.times(task('b', svc, { slot: 1 })), [10, 20]);
  assert.deepEqual(h.times(task('c', svc, { slot: 2 })), []);
  assert.deepEqual(h.times(task('d', svc, { slot: 1, image: 'other:1' })), []);
  h.record(task('e', svc, { slot: 0, nodeId: 'n1' }), 5);
  assert.deepEqual(h.times(task('f', svc, { slot: 0, nodeId: 'n1' })), [5]);
  h.forgetService(svc.id);
  assert.deepEqual(h.times(a), []);
});

const batchCases: { items: number; parallelism: number; want: number[] }[] = [
  { items: 4, parallelism: 2, want: [2, 2] },
  { items: 5, parallelism: 2, want: [2, 2, 1] },
  { items: 3, parallelism: 1, want: [1, 1, 1] },
  { items: 3, parallelism: 0, want: [3] },
  { items: 2, parallelism: 10, want: [2] },
  { items: 0, parallelism: 1, want: [] },
];

for (const c of batchCases) {
  test(`planBatches: ${c.items} slots, parallelism ${c.parallelism}`, () => {
    const items = Array.from({ length: c.items }, (_, i) => i + 1);
    const batches = planBatches(items, c.parallelism);
    assert.deepEqual(
      batches.map((b) => b.length),
      c.want,
    );
    assert.deepEqual(batches.flat(), items);
  });
}

test('failureExceeded: strictly more than maxFailureRatio', () => {
  assert.equal(failureExceeded(1, 4, 0), true);
  assert.equal(failureExceeded(1, 4, 0.25), false);
  assert.equal(failureExceeded(2, 4, 0.25), true);
  assert.equal(failureExceeded(0, 4, 0), false);
  assert.equal(failureExceeded(1, 0, 0), false);
});

test('countsAsFailure: before running, or within the monitor period', () => {
  assert.equal(countsAsFailure(undefined, 100, 5000), true);
  assert.equal(countsAsFailure(0, 5000, 5000), true);
  assert.equal(countsAsFailure(0, 5001, 5000), false);
});

test('updateConfigFor: defaults, the update config, and the rollback config while rolling back', () => {
  const plain = service('s');
  assert.deepEqual(updateConfigFor(plain), {
    parallelism: 1,
    delay: 0,
    failureAction: 'pause',
    monitor: 5000,
    maxFailureRatio: 0,
    order: 'stop-first',
  });
  const rolling = service('s', undefined, (s) => {
    s.spec.updateConfig = { ...updateConfigFor(plain), parallelism: 3 };
    s.spec.rollbackConfig = { ...updateConfigFor(plain), parallelism: 7 };
    s.updateStatus = { state: 'rollback_started', message: 'x' };
  });
  assert.equal(updateConfigFor(rolling).parallelism, 7);
  assert.equal(
    updateConfigFor({ ...rolling, updateStatus: { state: 'updating', message: '' } }).parallelism,
    3,
  );
});

test('update status transitions read as docker service inspect shows them', () => {
  const now = '2024-01-01T00:00:00.000Z';
  const later = '2024-01-01T00:01:00.000Z';
  const svc = service('s', undefined, (s) => {
    s.previousSpec = { ...s.spec, labels: { old: 'yes' } };
  });
  const started = startUpdate(svc, now);
  assert.deepEqual(started.updateStatus, {
    state: 'updating',
    startedAt: now,
    message: 'update in progress',
  });
  assert.deepEqual(completeUpdate(started, later).updateStatus, {
    state: 'completed',
    startedAt: now,
    completedAt: later,
    message: 'update completed',
  });
  assert.deepEqual(pauseUpdate(started, 'task1', later).updateStatus, {
    state: 'paused',
    startedAt: now,
    message: 'update paused due to failure or early termination of task task1',
  });
  const rolled = rollBack(started, 'task1', later);
  assert.deepEqual(rolled.spec.labels, { old: 'yes' });
  assert.equal(rolled.previousSpec, undefined);
  assert.deepEqual(rolled.updateStatus, {
    state: 'rollback_started',
    startedAt: later,
    message: 'update rolled back due to failure or early termination of task task1',
  });
  assert.equal(pauseUpdate(rolled, 't2', later).updateStatus?.state, 'rollback_paused');
  assert.match(pauseUpdate(rolled, 't2', later).updateStatus!.message, /^rollback paused due to/);
  assert.deepEqual(completeUpdate(rolled, later).updateStatus?.message, 'rollback completed');
  const noPrevious = rollBack(startUpdate(service('s'), now), 'task1', later);
  assert.equal(noPrevious.updateStatus?.state, 'paused');
});

test('historyToDelete keeps `limit` tasks per slot, oldest finished ones go first, current ones never', () => {
  const svc = service('s');
  const finished = [1, 2, 3, 4].map((i) =>
    task(`f${i}`, svc, {
      desired: 'shutdown',
      state: 'failed',
      change: (t) => void (t.status.timestamp = `2024-01-01T00:00:0${i}.000Z`),
    }),
  );
  const current = task('cur', svc, { change: (t) => void (t.status.timestamp = '2024-01-01T00:00:00.000Z') });
  const all = [current, ...finished];
  assert.deepEqual(
    historyToDelete(all, 3).map((t) => t.id),
    ['f1', 'f2'],
  );
  assert.deepEqual(historyToDelete(all, 5), []);
  assert.deepEqual(historyToDelete(all, -1), []);
  assert.deepEqual(
    historyToDelete(all, 0).map((t) => t.id),
    ['f1', 'f2', 'f3', 'f4'],
  );
});

test('removal: what happens to a task on its way out', () => {
  const svc = service('s', { kind: 'replicated', replicas: 2 });
  const cases: {
    name: string;
    t: ReturnType<typeof task>;
    service?: boolean;
    exists?: boolean;
    alive?: boolean;
    want: string;
  }[] = [
    { name: 'running, service there', t: task('a', svc), want: 'keep' },
    {
      name: 'being removed, still running',
      t: task('a', svc, { desired: 'remove', nodeId: 'n1' }),
      want: 'keep',
    },
    {
      name: 'being removed, stopped',
      t: task('a', svc, { desired: 'remove', state: 'shutdown', nodeId: 'n1' }),
      want: 'delete',
    },
    {
      name: 'being removed, never assigned',
      t: task('a', svc, { desired: 'remove', state: 'pending' }),
      want: 'delete',
    },
    {
      name: 'being removed, node down',
      t: task('a', svc, { desired: 'remove', nodeId: 'n1' }),
      alive: false,
      want: 'delete',
    },
    {
      name: 'service deleted, still running',
      t: task('a', svc, { nodeId: 'n1' }),
      service: false,
      want: 'mark-remove',
    },
    {
      name: 'service deleted, stopped',
      t: task('a', svc, { nodeId: 'n1', state: 'failed', desired: 'shutdown' }),
      service: false,
      want: 'delete',
    },
    {
      name: 'slot beyond replicas, stopped',
      t: task('a', svc, { slot: 3, nodeId: 'n1', desired: 'shutdown', state: 'shutdown' }),
      want: 'delete',
    },
    {
      name: 'node removed, task stopped',
      t: task('a', svc, { nodeId: 'n1', desired: 'shutdown' }),
      exists: false,
      alive: false,
      want: 'delete',
    },
  ];
  for (const c of cases) {
    const verdict = removal({
      task: c.t,
      service: c.service === false ? undefined : svc,
      nodeExists: c.exists ?? true,
      nodeAlive: c.alive ?? true,
    });
    assert.equal(verdict, c.want, c.name);
  }
});
