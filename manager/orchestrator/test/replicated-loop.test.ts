// The replicated orchestrator, restart supervisor, reaper and scheduler running together against
// a real store, with a manual clock and simulated agents.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { OrchestratorHarness } from './harness.js';

async function cluster(nodes: string[]): Promise<OrchestratorHarness> {
  const h = new OrchestratorHarness();
  await h.addCluster();
  for (const id of nodes) await h.addNode(id);
  return h;
}

test('3 replicas on 2 nodes: 3 tasks assigned and running, spread 2/1', async () => {
  const h = await cluster(['n1', 'n2']);
  await h.addService('web', { kind: 'replicated', replicas: 3 });
  await h.settle();
  const tasks = h.tasks('web');
  assert.deepEqual(
    tasks.map((t) => t.slot),
    [1, 2, 3],
  );
  assert.deepEqual(h.spread('web'), { n1: 2, n2: 1 });
  for (const t of tasks) {
    assert.equal(t.status.state, 'running');
    assert.ok(t.status.timestamp.length > 0);
  }
  await h.stop();
});

test('scale to 5 adds slots 4 and 5; scale to 1 removes the highest slots and the reaper deletes them', async () => {
  const h = await cluster(['n1', 'n2']);
  await h.addService('web', { kind: 'replicated', replicas: 3 });
  await h.settle();
  await h.changeService('web', (s) => ({
    ...s,
    spec: { ...s.spec, mode: { kind: 'replicated', replicas: 5 } },
  }));
  await h.settle();
  assert.deepEqual(
    h.running('web').map((t) => t.slot),
    [1, 2, 3, 4, 5],
  );
  assert.deepEqual(h.spread('web'), { n1: 3, n2: 2 });
  await h.changeService('web', (s) => ({
    ...s,
    spec: { ...s.spec, mode: { kind: 'replicated', replicas: 1 } },
  }));
  await h.settle();
  assert.deepEqual(
    h.tasks('web').map((t) => [t.slot, t.desiredState, t.status.state]),
    [[1, 'running', 'running']],
  );
  await h.stop();
});

test('draining a node moves its tasks to the other nodes', async () => {
  const h = await cluster(['n1', 'n2', 'n3']);
  await h.addService('web', { kind: 'replicated', replicas: 3 });
  await h.settle();
  assert.deepEqual(h.spread('web'), { n1: 1, n2: 1, n3: 1 });
  await h.changeNode('n2', (n) => ({ ...n, spec: { ...n.spec, availability: 'drain' } }));
  await h.settle();
  assert.deepEqual(h.spread('web'), { n1: 2, n3: 1 });
  const old = h.tasks('web').filter((t) => t.nodeId === 'n2');
  assert.equal(old.length, 1);
  assert.equal(old[0]!.desiredState, 'shutdown');
  assert.equal(old[0]!.status.state, 'shutdown');
  await h.stop();
});

test('a node that goes down has its tasks orphaned and replaced elsewhere', async () => {
  const h = await cluster(['n1', 'n2']);
  await h.addService('web', { kind: 'replicated', replicas: 4 });
  await h.settle();
  assert.deepEqual(h.spread('web'), { n1: 2, n2: 2 });
  await h.changeNode('n1', (n) => ({
    ...n,
    status: { ...n.status, state: 'down', message: 'heartbeat failure' },
  }));
  await h.settle();
  assert.deepEqual(h.spread('web'), { n2: 4 });
  const orphaned = h.tasks('web').filter((t) => t.nodeId === 'n1');
  assert.deepEqual(
    orphaned.map((t) => [t.desiredState, t.status.state, t.status.message]),
    [
      ['shutdown', 'orphaned', 'task orphaned: node is down'],
      ['shutdown', 'orphaned', 'task orphaned: node is down'],
    ],
  );
  await h.stop();
});

test('a failing task restarts after the restart delay and stops after maxAttempts', async () => {
  const h = await cluster(['n1']);
  h.agent.fails = (t) => t.spec.containerSpec.image === 'bad:1';
  await h.addService('job', { kind: 'replicated', replicas: 1 }, (s) => {
    s.spec.taskTemplate.containerSpec.image = 'bad:1';
    s.spec.taskTemplate.restartPolicy = { condition: 'on-failure', delay: 10_000, maxAttempts: 2, window: 0 };
  });
  await h.settle();
  // The first task failed; its replacement waits for the delay in desired state 'ready'.
  let tasks = h.tasks('job');
  assert.equal(tasks.length, 2);
  const waiting = tasks.find((t) => t.desiredState === 'ready')!;
  assert.equal(waiting.status.state, 'ready');
  await h.advance(9_000);
  assert.equal(h.tasks('job').length, 2, 'still within the delay');
  await h.advance(1_000);
  tasks = h.tasks('job');
  assert.equal(tasks.length, 3, 'second attempt failed, third task created');
  await h.advance(10_000);
  tasks = h.tasks('job');
  assert.equal(tasks.length, 3, 'no more restarts after maxAttempts');
  assert.deepEqual(
    tasks.map((t) => t.status.state),
    ['failed', 'failed', 'failed'],
  );
  assert.ok(tasks.every((t) => t.desiredState === 'shutdown'));
  await h.stop();
});

test('condition on-failure does not restart a task that completed', async () => {
  const h = await cluster(['n1']);
  await h.addService('once', { kind: 'replicated', replicas: 1 }, (s) => {
    s.spec.taskTemplate.restartPolicy = { condition: 'on-failure', delay: 0, maxAttempts: 0, window: 0 };
  });
  await h.settle();
  const [t] = h.tasks('once');
  await h.store.update((tx) => {
    const cur = tx.get('tasks', t!.id)!;
    tx.update('tasks', { ...cur, status: { ...cur.status, state: 'complete', message: 'finished' } });
  });
  await h.settle();
  assert.deepEqual(
    h.tasks('once').map((x) => x.status.state),
    ['complete'],
  );
  await h.stop();
});

test('the reaper keeps taskHistoryRetentionLimit tasks per slot', async () => {
  const h = new OrchestratorHarness();
  await h.addCluster(3);
  await h.addNode('n1');
  h.agent.fails = () => true;
  await h.addService('crash', { kind: 'replicated', replicas: 1 }, (s) => {
    s.spec.taskTemplate.restartPolicy = { condition: 'any', delay: 1000, maxAttempts: 0, window: 0 };
  });
  await h.settle();
  for (let i = 0; i < 6; i++) await h.advance(1000);
  const tasks = h.tasks('crash');
  assert.equal(tasks.length, 3);
  assert.equal(tasks.filter((t) => t.desiredState === 'ready' || t.desiredState === 'running').length, 1);
  await h.stop();
});

test('a task that fits nowhere stays pending with the reason and is placed when a node joins', async () => {
  const h = await cluster(['n1', 'n2']);
  await h.addService('big', { kind: 'replicated', replicas: 1 }, (s) => {
    s.spec.taskTemplate.resources = { reservations: { nanoCPUs: 16e9, memoryBytes: 0, generic: [] } };
  });
  await h.settle();
  let [t] = h.tasks('big');
  assert.equal(t!.status.state, 'pending');
  assert.equal(t!.status.message, 'pending task scheduling');
  assert.equal(t!.status.err, 'no suitable node (insufficient resources on 2 nodes)');
  await h.addNode('n3', (n) => {
    n.description!.resources.nanoCPUs = 32e9;
  });
  await h.settle();
  [t] = h.tasks('big');
  assert.equal(t!.nodeId, 'n3');
  assert.equal(t!.status.state, 'running');
  await h.stop();
});

test('deleting a service stops its tasks and the reaper deletes them', async () => {
  const h = await cluster(['n1', 'n2']);
  await h.addService('web', { kind: 'replicated', replicas: 3 });
  await h.settle();
  await h.store.update((tx) => tx.delete('services', 'web'));
  await h.settle();
  assert.equal(h.tasks('web').length, 0);
  await h.stop();
});
