import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createLocalStore, type NodeSpec } from '../../store/index.js';
import { newCluster, newNode } from '../../store/test/fixtures.js';
import { isNodeRemoved } from '../../ca/removed-nodes.js';
import { applyDecision, removeNode, updateNode } from '../index.js';

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

test('removeNode: a manager must be demoted first, a live node needs force; the removal is recorded', async () => {
  const s = createLocalStore();
  await s.update((tx) => {
    tx.create('clusters', newCluster('c1'));
    tx.create('nodes', newNode('m1', 'manager'));
    tx.create('nodes', newNode('w1', 'worker'));
    tx.create('nodes', { ...newNode('w2', 'worker'), status: { state: 'down', message: '', addr: '' } });
    // Demoted in its spec, still a Raft member: swarmkit refuses it too.
    tx.create('nodes', {
      ...newNode('m2', 'worker'),
      managerStatus: { raftId: 2, addr: '10.1.0.2:2377', leader: false, reachability: 'reachable' },
    });
  });
  const cases: [string, string, boolean, number, string][] = [
    [
      'a manager',
      'm1',
      true,
      400,
      'rpc error: code = FailedPrecondition desc = node m1 is a cluster manager and is a member of the raft cluster. It must be demoted to worker before removal',
    ],
    [
      'a Raft member',
      'm2',
      true,
      400,
      'rpc error: code = FailedPrecondition desc = node m2 is a cluster manager and is a member of the raft cluster. It must be demoted to worker before removal',
    ],
    [
      'a live worker without force',
      'w1',
      false,
      400,
      "rpc error: code = FailedPrecondition desc = node w1 is not down and can't be removed",
    ],
    ['a node that is gone', 'xx', true, 404, 'node xx not found'],
  ];
  for (const [what, nodeId, force, status, message] of cases) {
    const d = s.view((tx) => removeNode(tx, { nodeId, force }));
    assert.ok('refusal' in d, what);
    assert.equal(d.refusal.kind, status === 404 ? 'not-found' : 'failed-precondition', what);
    assert.equal(d.refusal.statusCode, status, what);
    assert.equal(d.refusal.message, message, what);
  }
  const down = s.view((tx) => removeNode(tx, { nodeId: 'w2', force: false }));
  assert.deepEqual(down, { writes: [{ op: 'delete', table: 'nodes', id: 'w2' }] });
  await s.update((tx) => void applyDecision(tx, removeNode(tx, { nodeId: 'w1', force: true })));
  s.view((tx) => {
    assert.equal(tx.get('nodes', 'w1'), undefined);
    assert.ok(isNodeRemoved(tx, 'w1'), 'the cluster lists the removed node, so its certificate is refused');
    assert.ok(!isNodeRemoved(tx, 'w2'));
  });
});
