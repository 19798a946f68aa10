// Global services and jobs through the real loops.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { OrchestratorHarness } from './harness.js';

async function nodes(...ids: string[]): Promise<OrchestratorHarness> {
  const h = new OrchestratorHarness();
  await h.addCluster();
  for (const id of ids) await h.addNode(id);
  return h;
}

test('global service: one task per eligible node, following joins, drains, constraints and removals', async () => {
  const h = await nodes('n1', 'n2');
  await h.addNode('m1', (n) => {
    n.role = 'manager';
    n.spec.role = 'manager';
  });
  await h.addService('agent', { kind: 'global' }, (s) => {
    s.spec.taskTemplate.placement.constraints = ['node.role==worker'];
  });
  await h.settle();
  assert.deepEqual(h.spread('agent'), { n1: 1, n2: 1 });
  assert.ok(h.tasks('agent').every((t) => t.slot === 0));
  await h.addNode('n3');
  await h.settle();
  assert.deepEqual(h.spread('agent'), { n1: 1, n2: 1, n3: 1 }, 'a node that joins gets a task');
  await h.changeNode('n2', (n) => ({ ...n, spec: { ...n.spec, availability: 'drain' } }));
  await h.settle();
  assert.deepEqual(h.spread('agent'), { n1: 1, n3: 1 }, 'drain stops it');
  await h.changeNode('n2', (n) => ({ ...n, spec: { ...n.spec, availability: 'active' } }));
  await h.settle();
  assert.deepEqual(h.spread('agent'), { n1: 1, n2: 1, n3: 1 }, 'back to active, back to running');
  await h.changeNode('n3', (n) => ({ ...n, spec: { ...n.spec, labels: {} }, role: 'manager' }));
  await h.settle();
  assert.deepEqual(h.spread('agent'), { n1: 1, n2: 1 }, 'constraint no longer satisfied');
  await h.store.update((tx) => tx.delete('nodes', 'n1'));
  await h.settle();
  assert.deepEqual(h.spread('agent'), { n2: 1 });
  assert.equal(
    h.tasks('agent').filter((t) => t.nodeId === 'n1').length,
    0,
    'tasks of removed nodes are reaped',
  );
  await h.stop();
});

test('global service: a paused node keeps its task, a down node has it orphaned until it returns', async () => {
  const h = await nodes('n1', 'n2');
  await h.addService('agent', { kind: 'global' });
  await h.settle();
  await h.changeNode('n1', (n) => ({ ...n, spec: { ...n.spec, availability: 'pause' } }));
  await h.settle();
  assert.deepEqual(h.spread('agent'), { n1: 1, n2: 1 });
  await h.changeNode('n2', (n) => ({ ...n, status: { ...n.status, state: 'down' } }));
  await h.settle();
  const onN2 = h.tasks('agent').filter((t) => t.nodeId === 'n2');
  assert.deepEqual(
    onN2.map((t) => [t.desiredState, t.status.state]),
    [['shutdown', 'orphaned']],
  );
  await h.changeNode('n2', (n) => ({ ...n, status: { ...n.status, state: 'ready' } }));
  await h.settle();
  assert.deepEqual(h.spread('agent'), { n1: 1, n2: 1 });
  await h.stop();
});

test('global service: a failed task restarts on its node after the delay', async () => {
  const h = await nodes('n1');
  let failures = 1;
  h.agent.fails = () => failures-- > 0;
  await h.addService('agent', { kind: 'global' });
  await h.settle();
  assert.deepEqual(h.spread('agent'), {});
  await h.advance(5000);
  assert.deepEqual(h.spread('agent'), { n1: 1 });
  assert.equal(h.tasks('agent').length, 2);
  await h.stop();
});

test('replicated job: totalCompletions tasks complete, maxConcurrent at a time, never restarted after success', async () => {
  const h = await nodes('n1', 'n2');
  const completedAt: number[] = [];
  await h.addService('batch', { kind: 'replicatedJob', maxConcurrent: 2, totalCompletions: 5 });
  for (let round = 0; round < 10; round++) {
    await h.settle();
    completedAt.push(h.tasks('batch').filter((t) => t.status.state === 'complete').length);
  }
  const tasks = h.tasks('batch');
  assert.equal(tasks.length, 5);
  assert.ok(tasks.every((t) => t.status.state === 'complete' && t.desiredState === 'complete'));
  assert.deepEqual(
    tasks.map((t) => t.slot),
    [0, 1, 2, 3, 4],
  );
  assert.ok(tasks.every((t) => t.jobIteration === 0));
  await h.advance(60_000);
  assert.equal(h.tasks('batch').length, 5, 'nothing restarts after success');
  await h.stop();
});

test('replicated job: a failing task is retried per its policy; a new jobIteration runs the job again', async () => {
  const h = await nodes('n1');
  let failures = 1;
  h.agent.fails = () => failures-- > 0;
  await h.addService('batch', { kind: 'replicatedJob', maxConcurrent: 1, totalCompletions: 1 }, (s) => {
    s.spec.taskTemplate.restartPolicy = { condition: 'on-failure', delay: 1000, maxAttempts: 3, window: 0 };
  });
  await h.settle();
  await h.advance(1000);
  let tasks = h.tasks('batch');
  assert.deepEqual(tasks.map((t) => t.status.state).sort(), ['complete', 'failed']);
  await h.changeService('batch', (s) => ({ ...s, jobStatus: { jobIteration: 1 } }));
  await h.settle();
  tasks = h.tasks('batch').filter((t) => t.jobIteration === 1);
  assert.deepEqual(
    tasks.map((t) => t.status.state),
    ['complete'],
  );
  await h.stop();
});

test('global job: runs once on every node, and on a node that joins later', async () => {
  const h = await nodes('n1', 'n2');
  await h.addService('setup', { kind: 'globalJob' });
  await h.settle();
  await h.settle();
  let tasks = h.tasks('setup');
  assert.deepEqual(tasks.map((t) => [t.nodeId, t.status.state]).sort(), [
    ['n1', 'complete'],
    ['n2', 'complete'],
  ]);
  await h.addNode('n3');
  await h.settle();
  tasks = h.tasks('setup');
  assert.equal(tasks.length, 3);
  assert.ok(tasks.every((t) => t.status.state === 'complete'));
  await h.stop();
});
