import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createLocalStore } from '../../store/index.js';
import { newNode } from '../../store/test/fixtures.js';
import { applyNodeStatus } from '../node-status-writes.js';

test('a session that brings nothing new leaves the node (and its version) alone', async () => {
  const s = createLocalStore();
  await s.update((tx) => void tx.create('nodes', newNode('n1')));
  const node = s.view((tx) => tx.get('nodes', 'n1'));
  assert.ok(node?.description !== undefined);
  const description = { ...node.description, hostname: 'worker-1' };
  const ready = { kind: 'ready' as const, nodeId: 'n1', description, addr: '10.0.0.7' };

  assert.deepEqual(await s.update((tx) => applyNodeStatus(tx, [ready])), ['applied']);
  const version = s.view((tx) => tx.get('nodes', 'n1')?.meta.version);
  assert.deepEqual(await s.update((tx) => applyNodeStatus(tx, [ready])), ['unchanged']);
  assert.equal(
    s.view((tx) => tx.get('nodes', 'n1')?.meta.version),
    version,
  );

  // A new address, or a node coming back from down, is written.
  assert.deepEqual(await s.update((tx) => applyNodeStatus(tx, [{ ...ready, addr: '10.0.0.8' }])), [
    'applied',
  ]);
  const down = { kind: 'down' as const, nodeId: 'n1', message: 'heartbeat failure' };
  assert.deepEqual(await s.update((tx) => applyNodeStatus(tx, [down])), ['applied']);
  assert.deepEqual(await s.update((tx) => applyNodeStatus(tx, [{ ...ready, addr: '10.0.0.8' }])), [
    'applied',
  ]);
  assert.equal(
    s.view((tx) => tx.get('nodes', 'n1')?.status.state),
    'ready',
  );
  assert.deepEqual(await s.update((tx) => applyNodeStatus(tx, [{ ...ready, nodeId: 'gone' }])), [
    'not-member',
  ]);
});
