// Per-object isolation in the real loops: an object a loop fails on (here a job whose status
// the API never writes, so its tasks fail the store's shape check) is logged and skipped, and
// the other objects of the same pass still converge. Before, the whole batch's transaction was
// refused and retried forever, starving every service that shared it.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { OrchestratorHarness } from './harness.js';

test('a job the orchestrator cannot write tasks for does not starve the jobs and services beside it', async () => {
  const h = new OrchestratorHarness();
  try {
    await h.addCluster();
    await h.addNode('n1');
    // jobIteration -1 passes the service's shape check, but every task made from it fails the
    // task's (jobIteration must be >= 0): creating its tasks throws inside the transaction.
    await h.addService('bad', { kind: 'replicatedJob', maxConcurrent: 2, totalCompletions: 2 }, (s) => {
      s.jobStatus = { jobIteration: -1 };
    });
    await h.addService('good', { kind: 'replicatedJob', maxConcurrent: 2, totalCompletions: 2 });
    await h.addService('web', { kind: 'replicated', replicas: 2 });
    await h.settle();
    assert.equal(h.tasks('bad').length, 0, 'the poison job gets no task');
    assert.equal(
      h.tasks('good').filter((t) => t.status.state === 'complete').length,
      2,
      'the job beside it ran to completion',
    );
    assert.equal(h.running('web').length, 2, 'the service beside it runs');
    // Fixing the object lets it converge too: it was skipped, not forgotten for good.
    await h.changeService('bad', (s) => ({ ...s, jobStatus: { jobIteration: 1 } }));
    await h.settle();
    assert.equal(h.tasks('bad').filter((t) => t.status.state === 'complete').length, 2);
  } finally {
    await h.stop();
  }
});
