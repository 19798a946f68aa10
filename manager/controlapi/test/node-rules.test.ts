import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createLocalStore, type NodeSpec } from '../../store/index.js';
import { newNode } from '../../store/test/fixtures.js';
import { updateNode } from '../index.js';

test('updateNode: node spec limits, and the last manager cannot be demoted', async () => {
  const s = createLocalStore();
  await s.update((tx) => {
    tx.create('nodes', newNode('m1', 'manager'));
    tx.create('nodes', newNode('w1', 'worker'));
  });
  const spec = (change: Partial<NodeSpec>): NodeSpec => ({
    labels: {},
    role: 'worker',
    availability: 'active',
    ...change,
  });
  const cases: [string, string, NodeSpec, number, RegExp][] = [
    [
      'demote the last manager',
      'm1',
      spec({}),
      400,
      /FailedPrecondition desc = attempting to demote the last manager of the swarm/,
    ],
    [
      'a 100 KB label',
      'w1',
      spec({ labels: { a: 'x'.repeat(100_000) } }),
      400,
      /Labels: value of "a" is 100000 bytes/,
    ],
    [
      'a 300 KB node spec',
      'w1',
      spec({
        labels: Object.fromEntries(Array.from({ length: 10 }, (_, i) => [`l${i}`, 'x'.repeat(30_000)])),
      }),
      400,
      /node spec is \d+ bytes, more than the limit of 262144/,
    ],
    ['a long name', 'w1', spec({ name: 'n'.repeat(2000) }), 400, /Name is 2000 bytes/],
    ['a bad role', 'w1', spec({ role: 'boss' as NodeSpec['role'] }), 400, /invalid Role: "boss"/],
    [
      'a bad availability',
      'w1',
      spec({ availability: 'gone' as NodeSpec['availability'] }),
      400,
      /invalid Availability: "gone"/,
    ],
    ['a removed node', 'xx', spec({}), 404, /node xx not found/],
  ];
  for (const [what, nodeId, nodeSpec, status, message] of cases) {
    const d = s.view((tx) => updateNode(tx, { nodeId, version: 1, spec: nodeSpec }));
    assert.ok('refusal' in d, what);
    assert.equal(d.refusal.statusCode, status, what);
    assert.match(d.refusal.message, message, what);
  }
  const ok = s.view((tx) => updateNode(tx, { nodeId: 'w1', version: 1, spec: spec({ role: 'manager' }) }));
  assert.ok('writes' in ok);
  assert.equal(
    ok.writes[0]?.op === 'update' && ok.writes[0].table === 'nodes' && ok.writes[0].object.spec.role,
    'manager',
  );
});
