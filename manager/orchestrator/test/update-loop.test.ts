// Rolling updates and rollbacks through the real loops: batches, delay, monitor, order, and the
// failure actions, with the service's UpdateStatus as `docker service inspect` shows it.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { NewObject, UpdateConfig } from '../../../api/objects/index.js';
import { OrchestratorHarness } from './harness.js';

function withImage(image: string, update: Partial<UpdateConfig> = {}) {
  return (s: NewObject<'services'>): NewObject<'services'> => ({
    ...s,
    previousSpec: s.spec,
    spec: {
      ...s.spec,
      taskTemplate: {
        ...s.spec.taskTemplate,
        containerSpec: { ...s.spec.taskTemplate.containerSpec, image },
      },
      updateConfig: {
        parallelism: 1,
        delay: 0,
        failureAction: 'pause',
        monitor: 5000,
        maxFailureRatio: 0,
        order: 'stop-first',
        ...update,
      },
    },
  });
}

async function fourReplicas(): Promise<OrchestratorHarness> {
  const h = new OrchestratorHarness();
  await h.addCluster();
  await h.addNode('n1');
  await h.addNode('n2');
  await h.addService('web', { kind: 'replicated', replicas: 4 });
  await h.settle();
  assert.equal(h.running('web').length, 4);
  return h;
}

function images(h: OrchestratorHarness): string[] {
  return h.running('web').map((t) => t.spec.containerSpec.image);
}

function status(h: OrchestratorHarness): [string | undefined, string | undefined] {
  const s = h.store.view((tx) => tx.get('services', 'web'))!;
  return [s.updateStatus?.state, s.updateStatus?.message];
}

test('a rolling update of 4 tasks with parallelism 2 proceeds in 2 batches, delay apart', async () => {
  const h = await fourReplicas();
  await h.changeService('web', withImage('nginx:1.26', { parallelism: 2, delay: 10_000 }));
  await h.settle();
  assert.deepEqual(status(h), ['updating', 'update in progress']);
  assert.deepEqual(images(h).sort(), ['nginx:1.25', 'nginx:1.25', 'nginx:1.26', 'nginx:1.26']);
  await h.advance(9_999);
  assert.equal(images(h).filter((i) => i === 'nginx:1.26').length, 2, 'second batch waits for the delay');
  await h.advance(1);
  assert.deepEqual(images(h), ['nginx:1.26', 'nginx:1.26', 'nginx:1.26', 'nginx:1.26']);
  assert.deepEqual(status(h), ['updating', 'update in progress'], 'monitoring the last batch');
  await h.advance(5_000);
  assert.deepEqual(status(h), ['completed', 'update completed']);
  assert.equal(h.running('web').length, 4);
  // Stop-first: each slot's old task was shut down, and slots are kept.
  const old = h.tasks('web').filter((t) => t.spec.containerSpec.image === 'nginx:1.25');
  assert.equal(old.length, 4);
  assert.ok(old.every((t) => t.desiredState === 'shutdown' && t.status.state === 'shutdown'));
  assert.deepEqual(
    h.running('web').map((t) => t.slot),
    [1, 2, 3, 4],
  );
  await h.stop();
});

test('start-first starts the new task before stopping the old one', async () => {
  const h = await fourReplicas();
  const seen: number[] = [];
  const watcher = h.store.watch({ tables: ['tasks'] });
  await h.changeService('web', withImage('nginx:1.26', { parallelism: 4, order: 'start-first', monitor: 0 }));
  await h.settle();
  // Count tasks running at once for the service while the update went on.
  const running = new Map<string, boolean>();
  for (const e of watcher.drain()) {
    if (e.action === 'commit' || e.table !== 'tasks') continue;
    running.set(e.object.id, e.action !== 'delete' && e.object.status.state === 'running');
    seen.push([...running.values()].filter(Boolean).length);
  }
  watcher.close();
  assert.ok(Math.max(...seen) > 4, `new tasks ran next to old ones (max ${Math.max(...seen)})`);
  assert.deepEqual(images(h), ['nginx:1.26', 'nginx:1.26', 'nginx:1.26', 'nginx:1.26']);
  assert.deepEqual(status(h), ['completed', 'update completed']);
  await h.stop();
});

test('failure action pause: the update stops at the first failed task', async () => {
  const h = await fourReplicas();
  h.agent.fails = (t) => t.spec.containerSpec.image === 'bad:1';
  await h.changeService('web', withImage('bad:1', { parallelism: 1, failureAction: 'pause' }));
  await h.settle();
  const [state, message] = status(h);
  assert.equal(state, 'paused');
  assert.match(message!, /^update paused due to failure or early termination of task [0-9a-z]+$/);
  assert.equal(images(h).filter((i) => i === 'nginx:1.25').length, 3, 'other slots untouched');
  await h.advance(60_000);
  assert.equal(status(h)[0], 'paused');
  assert.equal(images(h).filter((i) => i === 'nginx:1.25').length, 3);
  await h.stop();
});

test('failure action rollback: the service returns to its previous spec with rollbackConfig', async () => {
  const h = await fourReplicas();
  h.agent.fails = (t) => t.spec.containerSpec.image === 'bad:1';
  await h.changeService('web', (s) => ({
    ...withImage('bad:1', { parallelism: 1, failureAction: 'rollback' })(s),
    // Rollback all at once, no monitor.
  }));
  await h.changeService('web', (s) => ({
    ...s,
    spec: {
      ...s.spec,
      rollbackConfig: {
        parallelism: 0,
        delay: 0,
        failureAction: 'pause',
        monitor: 1000,
        maxFailureRatio: 0,
        order: 'stop-first',
      },
    },
  }));
  await h.settle();
  let [state, message] = status(h);
  assert.equal(state, 'rollback_started');
  assert.match(message!, /^update rolled back due to failure or early termination of task [0-9a-z]+$/);
  const service = h.store.view((tx) => tx.get('services', 'web'))!;
  assert.equal(service.spec.taskTemplate.containerSpec.image, 'nginx:1.25');
  assert.equal(service.previousSpec, undefined);
  await h.advance(5_000);
  [state, message] = status(h);
  assert.deepEqual([state, message], ['rollback_completed', 'rollback completed']);
  assert.deepEqual(images(h), ['nginx:1.25', 'nginx:1.25', 'nginx:1.25', 'nginx:1.25']);
  await h.stop();
});

test('scaling during an update keeps updating the kept slots', async () => {
  const h = await fourReplicas();
  await h.changeService('web', withImage('nginx:1.26', { parallelism: 1, delay: 1000, monitor: 0 }));
  await h.settle();
  await h.changeService('web', (s) => ({
    ...s,
    spec: { ...s.spec, mode: { kind: 'replicated', replicas: 2 } },
  }));
  await h.settle();
  for (let i = 0; i < 5; i++) await h.advance(1000);
  assert.deepEqual(images(h), ['nginx:1.26', 'nginx:1.26']);
  assert.deepEqual(status(h), ['completed', 'update completed']);
  await h.stop();
});
