import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isAttachmentTask, type Task } from '../../../api/objects/index.js';
import { createLocalStore, serviceNodeKey, type MemoryStore } from '../../store/index.js';
import { allocatedNetwork, newNode } from '../../store/test/fixtures.js';
import {
  applyDecision,
  attachNetwork,
  detachNetwork,
  MAX_ATTACHMENTS_PER_NODE,
  type AttachNetworkRequest,
  type Decision,
} from '../index.js';

async function cluster(): Promise<MemoryStore> {
  const s = createLocalStore();
  await s.update((tx) => {
    tx.create('nodes', newNode('node1'));
    tx.create('nodes', newNode('node2'));
    tx.create('networks', {
      ...allocatedNetwork('netatt', '10.0.9.0/24', 4200, 'attnet'),
      spec: { ...allocatedNetwork('netatt', '10.0.9.0/24', 4200, 'attnet').spec, attachable: true },
    });
    tx.create('networks', allocatedNetwork('netplain', '10.0.8.0/24', 4201, 'plain'));
    const ingress = allocatedNetwork('neting', '10.0.0.0/24', 4096, 'ingress');
    tx.create('networks', { ...ingress, spec: { ...ingress.spec, ingress: true, attachable: true } });
  });
  return s;
}

function request(extra: Partial<AttachNetworkRequest> = {}): AttachNetworkRequest {
  return {
    id: 'att1',
    nodeId: 'node1',
    network: 'attnet',
    containerId: '',
    address: '',
    aliases: [],
    now: '2026-12-07T00:00:00.000Z',
    ...extra,
  };
}

function refusal(d: Decision): { status: number; message: string } {
  assert.ok('refusal' in d, 'expected a refusal');
  return { status: d.refusal.statusCode, message: d.refusal.message };
}

test('attachNetwork: an attachable overlay by name, ID or prefix gives a task of the caller node', async () => {
  const s = await cluster();
  for (const network of ['attnet', 'netatt', 'neta']) {
    const d = s.view((tx) => attachNetwork(tx, request({ network, aliases: ['db'] })));
    assert.ok('writes' in d, network);
    const w = d.writes[0];
    assert.ok(w !== undefined && w.op === 'create' && w.table === 'tasks');
    const task = w.object as Task;
    assert.equal(task.nodeId, 'node1');
    assert.equal(task.serviceId, '');
    assert.ok(isAttachmentTask(task));
    assert.deepEqual(task.spec.networks, [{ target: 'netatt', aliases: ['db'], driverOpts: {} }]);
    assert.equal(task.status.state, 'new');
    assert.equal(task.desiredState, 'running');
    assert.deepEqual(task.networksAttachments, []);
  }
});

test('attachNetwork: Docker refusals for unknown, unattachable and ingress networks', async () => {
  const s = await cluster();
  const cases: [Partial<AttachNetworkRequest>, number, RegExp][] = [
    [{ network: 'nope' }, 404, /network nope not found/],
    [{ network: 'plain' }, 403, /PermissionDenied desc = network plain not manually attachable/],
    [{ network: 'ingress' }, 403, /network ingress not manually attachable/],
    [{ network: 'net' }, 400, /ambiguous/],
    [{ nodeId: 'ghost' }, 404, /node ghost not found/],
    [{ network: 'x'.repeat(5000) }, 400, /network is 5000 bytes/],
    [{ containerId: 'c'.repeat(129) }, 400, /container ID/],
    [{ aliases: Array.from({ length: 300 }, (_, i) => `a${i}`) }, 400, /aliases/],
    [{ address: '10.0.8.5' }, 400, /not in network attnet's subnet/],
    [{ address: '10.0.9.300' }, 400, /invalid IPv4 address/],
  ];
  for (const [extra, status, message] of cases) {
    const r = refusal(s.view((tx) => attachNetwork(tx, request(extra))));
    assert.equal(r.status, status, JSON.stringify(extra).slice(0, 80));
    assert.match(r.message, message);
  }
});

test('attachNetwork: a requested address is recorded with the network prefix for the allocator', async () => {
  const s = await cluster();
  const d = s.view((tx) => attachNetwork(tx, request({ address: '10.0.9.77' })));
  assert.ok('writes' in d);
  const task = (d.writes[0] as { object: Task }).object;
  assert.deepEqual(task.networksAttachments, [
    { networkId: 'netatt', addresses: ['10.0.9.77/24'], aliases: [] },
  ]);
});

test('attachNetwork: a node holds at most MAX_ATTACHMENTS_PER_NODE attachments', async () => {
  const s = await cluster();
  await s.update((tx) => {
    for (let i = 0; i < MAX_ATTACHMENTS_PER_NODE; i++)
      applyDecision(tx, attachNetwork(tx, request({ id: `a${i}` })));
  });
  assert.equal(
    s.view((tx) => tx.count('tasks', 'serviceNode', serviceNodeKey('', 'node1'))),
    MAX_ATTACHMENTS_PER_NODE,
  );
  const r = refusal(s.view((tx) => attachNetwork(tx, request({ id: 'over' }))));
  assert.equal(r.status, 400);
  assert.match(r.message, /already holds 1024 network attachments/);
  // Another node is not affected.
  assert.ok('writes' in s.view((tx) => attachNetwork(tx, request({ id: 'other', nodeId: 'node2' }))));
});

test('detachNetwork: deletes the caller node attachment; another node or a service task is not found', async () => {
  const s = await cluster();
  await s.update((tx) => applyDecision(tx, attachNetwork(tx, request())));
  assert.equal(
    refusal(s.view((tx) => detachNetwork(tx, { nodeId: 'node2', attachmentId: 'att1' }))).status,
    404,
  );
  assert.equal(
    refusal(s.view((tx) => detachNetwork(tx, { nodeId: 'node1', attachmentId: 'nope' }))).status,
    404,
  );
  await s.update((tx) => applyDecision(tx, detachNetwork(tx, { nodeId: 'node1', attachmentId: 'att1' })));
  assert.equal(
    s.view((tx) => tx.get('tasks', 'att1')),
    undefined,
  );
});
