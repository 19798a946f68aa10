// The removed-node list: an entry lasts as long as a certificate the node may hold, is pruned
// after that (on the next removal, or by the role loop), and the list never exceeds its bound.
// Times come from an injected clock.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { pino } from 'pino';
import {
  EXPIRY_GRACE_MS,
  hasExpiredEntries,
  isNodeRemoved,
  markNodeRemoved,
  MAX_REMOVED_NODES,
  pruneRemovedNodes,
} from '../removed-nodes.js';
import { DEFAULT_NODE_CERT_EXPIRY_MS } from '../../../ca/node-certificate.js';
import type { RaftNode } from '../../raft/driver/raft-node.js';
import { RoleManager } from '../../role-manager.js';
import { createLocalStore } from '../../store/local-proposer.js';
import type { MemoryStore } from '../../store/index.js';
import type { RemovedNode } from '../../../api/objects/index.js';
import { newCluster, newNode } from '../../store/test/fixtures.js';
import { ManualClock } from '../../../api/clock/manual-clock.js';
import { certifiedNode, newRootCA } from '../../../ca/test/support/pki-fixtures.js';

const T0 = Date.UTC(2026, 0, 1);
const DAY = 24 * 3600 * 1000;

async function storeWithCluster(nodeCertExpiry = DEFAULT_NODE_CERT_EXPIRY_MS): Promise<MemoryStore> {
  const store = createLocalStore();
  await store.update((tx) => {
    const c = newCluster('cluster-1');
    tx.create('clusters', { ...c, spec: { ...c.spec, caConfig: { ...c.spec.caConfig, nodeCertExpiry } } });
  });
  return store;
}

const listed = (store: MemoryStore): readonly { id: string; expiresAt: number }[] =>
  store.view((tx) => tx.list('clusters')[0]?.removedNodes ?? []);

test('an entry lasts until the later of its recorded certificate and the validity bound, then is pruned', async () => {
  const store = await storeWithCluster();
  const ca = await newRootCA();
  // A certificate issued with a year's validity before the setting went back to 90 days.
  const long = await certifiedNode(ca, 'worker', { nodeId: 'long', now: new Date(T0), expiryMs: 365 * DAY });
  await store.update((tx) => {
    tx.create('nodes', {
      ...newNode('long'),
      certificate: { state: 'issued', certificate: long.certPem, csr: '', cn: 'long', role: 'worker' },
    });
    tx.create('nodes', newNode('short'));
  });
  await store.update((tx) => {
    for (const id of ['long', 'short']) {
      markNodeRemoved(tx, id, T0);
      tx.delete('nodes', id);
    }
  });
  const byId = new Map(listed(store).map((e) => [e.id, e.expiresAt]));
  assert.equal(byId.get('short'), T0 + DEFAULT_NODE_CERT_EXPIRY_MS);
  assert.equal(byId.get('long'), T0 + 365 * DAY);

  // Just before 'short' expires (plus grace), nothing goes; just after, only 'short' goes.
  const shortGone = T0 + DEFAULT_NODE_CERT_EXPIRY_MS + EXPIRY_GRACE_MS;
  assert.equal(await store.update((tx) => pruneRemovedNodes(tx, shortGone - 1)), false);
  assert.equal(await store.update((tx) => pruneRemovedNodes(tx, shortGone)), true);
  assert.deepEqual(
    listed(store).map((e) => e.id),
    ['long'],
  );
  assert.equal(
    store.view((tx) => isNodeRemoved(tx, 'long')),
    true,
  );
  assert.equal(
    store.view((tx) => isNodeRemoved(tx, 'short')),
    false,
  );
});

test('a shorter validity setting never shortens an entry below 90 days', async () => {
  const store = await storeWithCluster(3600 * 1000);
  await store.update((tx) => void markNodeRemoved(tx, 'n1', T0));
  assert.equal(listed(store)[0]?.expiresAt, T0 + DEFAULT_NODE_CERT_EXPIRY_MS);
});

test('removing a node prunes expired entries on the way', async () => {
  const store = await storeWithCluster();
  await store.update((tx) => void markNodeRemoved(tx, 'old', T0));
  const later = T0 + DEFAULT_NODE_CERT_EXPIRY_MS + EXPIRY_GRACE_MS + 1;
  assert.equal(
    store.view((tx) => hasExpiredEntries(tx.list('clusters')[0]!, later)),
    true,
  );
  await store.update((tx) => void markNodeRemoved(tx, 'new', later));
  assert.deepEqual(
    listed(store).map((e) => e.id),
    ['new'],
  );
});

test('the list never exceeds MAX_REMOVED_NODES: the soonest-expiring entries go first', async () => {
  const store = await storeWithCluster();
  // Each removal a minute later than the previous one: its entry expires a minute later.
  await store.update((tx) => {
    for (let i = 0; i < MAX_REMOVED_NODES; i++) markNodeRemoved(tx, `n${i}`, T0 + i * 60_000);
  });
  assert.equal(listed(store).length, MAX_REMOVED_NODES);
  const evicted = await store.update((tx) => markNodeRemoved(tx, 'last', T0 + MAX_REMOVED_NODES * 60_000));
  assert.deepEqual(evicted, ['n0']);
  const ids = new Set(listed(store).map((e) => e.id));
  assert.equal(ids.size, MAX_REMOVED_NODES);
  assert.ok(ids.has('last') && ids.has('n1') && !ids.has('n0'));
});

test('removing the same node twice keeps one entry with the later expiry', async () => {
  const store = await storeWithCluster();
  await store.update((tx) => void markNodeRemoved(tx, 'n1', T0));
  await store.update((tx) => void markNodeRemoved(tx, 'n1', T0 + DAY));
  assert.deepEqual(listed(store), [
    { id: 'n1', removedAt: T0 + DAY, expiresAt: T0 + DAY + DEFAULT_NODE_CERT_EXPIRY_MS },
  ]);
});

test('a list of bare node IDs (written before entries had expiries) is still honoured, then dated', async () => {
  const store = createLocalStore();
  await store.update((tx) => {
    // The stored shape of that older version: node IDs only.
    const legacy = ['old-1'] as unknown as RemovedNode[];
    tx.create('clusters', { ...newCluster('cluster-1'), removedNodes: legacy });
  });
  assert.equal(
    store.view((tx) => isNodeRemoved(tx, 'old-1')),
    true,
  );
  await store.update((tx) => void markNodeRemoved(tx, 'n2', T0));
  assert.deepEqual(listed(store), [
    { id: 'old-1', removedAt: T0, expiresAt: T0 + DEFAULT_NODE_CERT_EXPIRY_MS },
    { id: 'n2', removedAt: T0, expiresAt: T0 + DEFAULT_NODE_CERT_EXPIRY_MS },
  ]);
});

test("the leader's role loop prunes expired entries (and writes nothing when none expired)", async () => {
  const store = await storeWithCluster();
  await store.update((tx) => {
    markNodeRemoved(tx, 'early', T0);
    markNodeRemoved(tx, 'late', T0 + 10 * DAY);
  });
  const clock = new ManualClock(T0 + DAY);
  // The role loop needs only whether it leads and the Raft configuration from its Raft node.
  const raft = {
    id: 1,
    isLeader: () => true,
    status: () => ({ confState: { voters: [1], learners: [] }, progress: new Map() }),
  };
  const roles = new RoleManager({
    store,
    raft: raft as unknown as RaftNode,
    clock,
    logger: pino({ level: 'silent' }),
  });
  const version = (): number | undefined => store.view((tx) => tx.list('clusters')[0]?.meta.version);
  const unchanged = version();
  await roles.reconcile();
  assert.equal(version(), unchanged, 'nothing expired: the cluster object is not rewritten');
  clock.advance(DEFAULT_NODE_CERT_EXPIRY_MS + EXPIRY_GRACE_MS);
  await roles.reconcile();
  assert.deepEqual(
    listed(store).map((e) => e.id),
    ['late'],
  );
});
