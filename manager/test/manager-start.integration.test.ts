// Starting a real manager (gRPC server, Raft on LevelDB, every leader loop) and leading a new
// swarm emits no process warning: MaxListenersExceededWarning once came on every start, from a
// dozen leader loops each adding abort listeners to one shared signal.

import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { pino } from 'pino';
import { ensureIngressNetwork } from '../allocator/ingress.js';
import { generateNodeKeyAndCsr, signNodeCertificate } from '../../ca/node-certificate.js';
import { RootCA } from '../../ca/root-ca.js';
import { newClusterObject } from '../cluster-defaults.js';
import { Manager } from '../manager.js';
import { generateId } from '../store/index.js';

test('a manager starts, leads and stops without any process warning', async () => {
  const warnings: string[] = [];
  const onWarning = (w: Error): void => void warnings.push(`${w.name}: ${w.message}`);
  process.on('warning', onWarning);
  const dir = await mkdtemp(join(tmpdir(), 'shoal-manager-start-'));
  try {
    const ca = await RootCA.create();
    const key = await generateNodeKeyAndCsr();
    const nodeId = generateId();
    const clusterId = generateId();
    const certPem = await signNodeCertificate(
      ca,
      key.csrPem,
      { nodeId, role: 'manager', clusterId },
      { now: new Date() },
    );
    const manager = await Manager.start({
      raftId: 7,
      dataDir: dir,
      listenAddr: '127.0.0.1:0',
      advertiseAddr: '127.0.0.1:0',
      credentials: { nodeId, role: 'manager', clusterId, rootCaPem: ca.certPem, certPem, keyPem: key.keyPem },
      raft: { bootstrap: true },
      runApiRequest: () => Promise.resolve({ status: 200, headers: {}, body: new Uint8Array() }),
      logger: pino({ level: 'silent' }),
      tickMs: 20,
    });
    try {
      for (let i = 0; i < 500 && !manager.replicated.raft.isLeader(); i++)
        await new Promise((r) => setTimeout(r, 10));
      assert.ok(manager.replicated.raft.isLeader(), 'the manager leads its new swarm');
      await manager.store.update((tx) => {
        tx.create('clusters', newClusterObject(clusterId, ca));
        ensureIngressNetwork(tx);
      });
      // The leader loops start after the read barrier; give them time to subscribe.
      for (let i = 0; i < 50; i++) await new Promise((r) => setTimeout(r, 10));
    } finally {
      await manager.close();
    }
    await new Promise((r) => setImmediate(r));
    assert.deepEqual(warnings, []);
  } finally {
    process.off('warning', onWarning);
    await rm(dir, { recursive: true, force: true });
  }
});
