// Pending reasons as a bounded set of categories (the pending-tasks metric), read from the text
// the scheduler writes, and the scheduler's placements counter.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ManualClock } from '../../../api/clock/manual-clock.js';
import { createLocalStore } from '../../store/local-proposer.js';
import { newNode, newService, newTask } from '../../store/test/fixtures.js';
import { placementFailed } from '../schedule.js';
import { DEFAULT_FILTERS, noSuitableNode } from '../pipeline.js';
import { filterCategory, PENDING_REASONS, pendingReason } from '../pending-reason.js';
import { Scheduler } from '../scheduler.js';

test('every filter has a category, and its own wording maps to it for any node count', () => {
  for (const f of DEFAULT_FILTERS) {
    const category = filterCategory(f);
    assert.notEqual(category, 'other', `filter ${f.name} has no category`);
    for (const nodes of [1, 2, 17])
      assert.equal(pendingReason(noSuitableNode(f.explain(nodes))), category, f.name);
  }
});

test("the first (most nodes) reason decides; Docker's texts map to the fixed set", () => {
  const cases: [string | undefined, string][] = [
    [undefined, 'none'],
    ['', 'none'],
    ['no suitable node', 'no_suitable_node'],
    ['no suitable node (node not found)', 'no_suitable_node'],
    ['no suitable node (1 node not available for new tasks)', 'unavailable'],
    ['no suitable node (insufficient resources on 3 nodes)', 'resources'],
    ['no suitable node (insufficient resources on 2 nodes; 1 node not available for new tasks)', 'resources'],
    [
      'no suitable node (scheduling constraints not satisfied on 5 nodes; insufficient resources on 1 node)',
      'constraints',
    ],
    ['no suitable node (unsupported platform on 1 node)', 'platform'],
    ['no suitable node (host-mode port already in use on 2 nodes)', 'ports'],
    ['no suitable node (max replicas per node limit exceed)', 'max_replicas'],
    [placementFailed(new Error('boom')), 'other'],
    ['no suitable node (something new on 2 nodes)', 'other'],
    ['no suitable node (insufficient resources on 2 nodes', 'other'],
    ['anything at all', 'other'],
    [`no suitable node (${'x'.repeat(10_000)})`, 'other'],
  ];
  for (const [err, want] of cases) assert.equal(pendingReason(err), want, String(err));
  for (const [, want] of cases) assert.ok((PENDING_REASONS as readonly string[]).includes(want));
});

test('the scheduler counts committed placements, not tasks left pending', async () => {
  const clock = new ManualClock();
  const store = createLocalStore({ clock: clock.date });
  let placed = 0;
  const calls: number[] = [];
  const scheduler = new Scheduler({
    store,
    clock,
    batchSize: 4,
    placements: { inc: (n) => ((placed += n), calls.push(n)) },
  });
  const huge = newTask('big', 's1', 99);
  huge.spec = { ...huge.spec, resources: { reservations: { nanoCPUs: 64e9, memoryBytes: 0, generic: [] } } };
  await store.update((tx) => {
    tx.create('nodes', newNode('n1'));
    tx.create('nodes', newNode('n2'));
    tx.create('services', newService('s1', 'web'));
    for (let i = 1; i <= 10; i++) tx.create('tasks', newTask(`t${i}`, 's1', i));
    tx.create('tasks', huge);
  });
  const ac = new AbortController();
  const done = scheduler.run(ac.signal);
  const turn = (): Promise<void> => new Promise((r) => setImmediate(r));
  for (let i = 0; i < 5; i++) await turn();
  ac.abort();
  await done;
  assert.equal(placed, 10);
  assert.ok(
    calls.length <= 3 && calls.every((n) => n > 0),
    `one increment per committed batch: ${calls.join(',')}`,
  );
  const big = store.view((tx) => tx.get('tasks', 'big'))!;
  assert.equal(big.status.state, 'pending');
  assert.equal(pendingReason(big.status.err), 'resources');
});
