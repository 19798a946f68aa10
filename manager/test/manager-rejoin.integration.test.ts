// The lab's remedy for a damaged manager, without the lab: three real managers over mutual TLS,
// a few hundred writes (no snapshot beyond the bootstrap one at index 1), then one manager is
// demoted and removed (`node demote`, `node rm --force`), and the same machine joins again as a
// new manager with an empty store. It must catch up from the index-1 snapshot and the whole log
// and become a voter within a bound.

import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { pino } from 'pino';
import { joinSwarmPki } from '../../ca/ca-client.js';
import { markNodeRemoved } from '../ca/removed-nodes.js';
import { NODE_CHANNEL_OPTIONS, nodeChannelCredentials } from '../../ca/tls-credentials.js';
import { withControlClient } from '../control/control-client.js';
import { Manager } from '../manager.js';
import { newService } from '../store/test/fixtures.js';
import { freePort, startSecuredManager, type SecuredManager } from './secured-manager.js';

const logger = pino({ level: process.env['SHOAL_TEST_LOG'] ?? 'silent' });

let leader: SecuredManager;
let root: string;
const joined: Manager[] = [];

before(async () => {
  leader = await startSecuredManager();
  root = await mkdtemp(join(tmpdir(), 'shoal-rejoin-'));
});

after(async () => {
  for (const m of joined.reverse()) await m.close().catch(() => undefined);
  await leader.close();
  await rm(root, { recursive: true, force: true });
});

async function waitFor(cond: () => boolean, what: string, timeoutMs = 20_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Joins a new manager as `swarm join --token <manager token>` does; resolves once it votes. */
async function joinManager(raftId: number, dir: string): Promise<{ manager: Manager; nodeId: string }> {
  const token = leader.manager.store.view((tx) => tx.list('clusters')[0]?.rootCA.joinTokens.manager);
  assert.ok(token);
  const creds = await joinSwarmPki(leader.target, token);
  const address = `127.0.0.1:${await freePort()}`;
  const members = await withControlClient(
    leader.target,
    nodeChannelCredentials(creds),
    NODE_CHANNEL_OPTIONS,
    (c) => c.joinRaft(raftId, address, creds.nodeId),
  );
  const manager = await Manager.start({
    raftId,
    dataDir: dir,
    listenAddr: address,
    advertiseAddr: address,
    credentials: creds,
    raft: { join: members },
    runApiRequest: () => Promise.resolve({ status: 200, headers: {}, body: new Uint8Array() }),
    logger,
    tickMs: 20,
  });
  joined.push(manager);
  const raft = leader.manager.replicated.raft;
  await waitFor(() => raft.status().confState.voters.includes(raftId), `manager ${raftId} to vote`);
  await waitFor(
    () => manager.store.view((tx) => tx.get('nodes', creds.nodeId)) !== undefined,
    `manager ${raftId} to catch up`,
  );
  return { manager, nodeId: creds.nodeId };
}

test('a removed manager joins again with an empty store and becomes a voter', async () => {
  const raft = leader.manager.replicated.raft;
  const a = await joinManager(2, join(root, 'a'));
  await joinManager(3, join(root, 'b'));
  // A few hundred writes: the log grows well past the bootstrap snapshot at index 1.
  for (let i = 0; i < 400; i++) {
    await leader.manager.store.update((tx) => tx.create('services', newService(`svc${i}`, `svc-${i}`)));
  }
  // `node demote` of manager 2, then `node rm --force` once its member left the Raft group.
  await leader.manager.store.update((tx) => {
    const n = tx.get('nodes', a.nodeId)!;
    tx.update('nodes', { ...n, spec: { ...n.spec, role: 'worker' } });
  });
  await waitFor(
    () => leader.manager.store.view((tx) => tx.get('nodes', a.nodeId)?.role) === 'worker',
    'the demotion to complete',
  );
  assert.deepEqual(raft.status().confState.voters, [1, 3]);
  await a.manager.close();
  await leader.manager.store.update((tx) => {
    markNodeRemoved(tx, a.nodeId);
    tx.delete('nodes', a.nodeId);
  });
  // The same machine, wiped, joins again: new node ID, new Raft ID, empty store.
  const started = Date.now();
  const again = await joinManager(4, join(root, 'a-again'));
  assert.deepEqual(raft.status().confState.voters, [1, 3, 4]);
  assert.deepEqual(raft.status().confState.learners, []);
  assert.equal(
    again.manager.store.view((tx) => tx.list('services').length),
    400,
  );
  assert.ok(Date.now() - started < 20_000);
});
