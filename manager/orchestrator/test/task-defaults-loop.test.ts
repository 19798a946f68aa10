// The cluster's TaskDefaults.LogDriver as the orchestrators apply it: tasks created while a
// default is set carry it; changing the default neither restarts nor updates running tasks.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { OrchestratorHarness } from './harness.js';

test('tasks carry the cluster default log driver; a new default leaves running tasks alone', async () => {
  const h = new OrchestratorHarness();
  await h.addCluster();
  await h.store.update((tx) => {
    const c = tx.list('clusters')[0]!;
    tx.update('clusters', {
      ...c,
      spec: { ...c.spec, taskDefaults: { logDriver: { name: 'json-file', options: { 'max-file': '2' } } } },
    });
  });
  await h.addNode('n1');
  await h.addService('web', { kind: 'replicated', replicas: 2 });
  await h.addService('own', { kind: 'replicated', replicas: 1 }, (s) => {
    s.spec.taskTemplate.logDriver = { name: 'syslog', options: {} };
  });
  await h.settle();
  const first = h.running('web');
  assert.equal(first.length, 2);
  for (const t of first) assert.deepEqual(t.logDriver, { name: 'json-file', options: { 'max-file': '2' } });
  assert.equal(h.running('own')[0]?.logDriver, undefined);

  await h.store.update((tx) => {
    const c = tx.list('clusters')[0]!;
    tx.update('clusters', {
      ...c,
      spec: { ...c.spec, taskDefaults: { logDriver: { name: 'local', options: {} } } },
    });
  });
  await h.settle();
  assert.deepEqual(
    h.running('web').map((t) => t.id),
    first.map((t) => t.id),
    'a new default is no update',
  );
  // A scale-up creates its task with the new default.
  await h.changeService('web', (s) => ({
    ...s,
    spec: { ...s.spec, mode: { kind: 'replicated', replicas: 3 } },
  }));
  await h.settle();
  const added = h.running('web').find((t) => !first.some((f) => f.id === t.id));
  assert.equal(added?.logDriver?.name, 'local');
  await h.stop();
});
