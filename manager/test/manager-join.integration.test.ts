// The identity checks must not cut a manager off from the cluster it joins or leaves. A second
// real manager joins over mutual TLS with a manager token: its store starts empty, and it must
// still hear the leader whose node it does not know yet. A worker joins through that follower
// (whose store may lag) and is sent to the leader, never told it was removed. Then the second
// manager is demoted: it is still heard until its removal from the Raft group commits (with two
// voters that takes its own acknowledgement), and the cluster keeps its quorum and its writes.

import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import * as grpc from '@grpc/grpc-js';
import { pino } from 'pino';
import { joinSwarmPki, type NodeCredentials } from '../../ca/ca-client.js';
import { NODE_CHANNEL_OPTIONS, nodeChannelCredentials } from '../../ca/tls-credentials.js';
import { withControlClient } from '../control/control-client.js';
import { Manager } from '../manager.js';
import { newNode } from '../store/test/fixtures.js';
import { clusterPortProbes } from './cluster-port-probes.js';
import { clientOf, freePort, startSecuredManager, type SecuredManager } from './secured-manager.js';

const logger = pino({ level: process.env['SHOAL_TEST_LOG'] ?? 'silent' });
const SECOND_RAFT_ID = 2;

let leader: SecuredManager;
let second: Manager | undefined;
let secondDir: string;

before(async () => {
  leader = await startSecuredManager();
  secondDir = await mkdtemp(join(tmpdir(), 'shoal-join-'));
});

after(async () => {
  await second?.close();
  await leader.close();
  await rm(secondDir, { recursive: true, force: true });
});

async function waitFor(cond: () => boolean, what: string, timeoutMs = 15_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

const tokens = (): { worker: string; manager: string } => {
  const t = leader.manager.store.view((tx) => tx.list('clusters')[0]?.rootCA.joinTokens);
  assert.ok(t);
  return t;
};

test('a manager joins with an empty store, a worker joins through it, then it is demoted without losing the quorum', async () => {
  const raft = leader.manager.replicated.raft;

  // Join: certificate from the leader's CA with the manager token, then JoinRaft, then start.
  const creds: NodeCredentials = await joinSwarmPki(leader.target, tokens().manager);
  assert.equal(creds.role, 'manager');
  const address = `127.0.0.1:${await freePort()}`;
  const members = await withControlClient(
    leader.target,
    nodeChannelCredentials(creds),
    NODE_CHANNEL_OPTIONS,
    (c) => c.joinRaft(SECOND_RAFT_ID, address, creds.nodeId),
  );
  second = await Manager.start({
    raftId: SECOND_RAFT_ID,
    dataDir: secondDir,
    listenAddr: address,
    advertiseAddr: address,
    credentials: creds,
    raft: { join: members },
    runApiRequest: () => Promise.resolve({ status: 200, headers: {}, body: new Uint8Array() }),
    logger,
    tickMs: 20,
  });
  const follower = second;
  // It hears the leader although its store did not know the leader's node: it catches up.
  await waitFor(
    () => follower.store.view((tx) => tx.get('nodes', creds.nodeId)) !== undefined,
    'the new manager to catch up',
  );
  await waitFor(() => raft.status().confState.voters.includes(SECOND_RAFT_ID), 'the new manager to vote');

  // A worker joins through the follower: its CA hands the record to the leader.
  const worker = await joinSwarmPki(address, tokens().worker);
  const description = newNode('w').description;
  assert.ok(description !== undefined);
  const probes = clusterPortProbes({ joinToken: tokens().worker, csrPem: '', description });
  const session = probes.get('Dispatcher/Session')!;
  const atFollower = new grpc.Client(address, nodeChannelCredentials(worker), NODE_CHANNEL_OPTIONS);
  const atLeader = clientOf(leader, worker);
  try {
    // The follower does not serve sessions: it sends the agent to the leader (never "removed").
    const redirected = await session(atFollower);
    assert.equal(redirected.code, grpc.status.UNAVAILABLE, redirected.details);
    assert.match(redirected.details, /not the leader/);
    assert.equal((await session(atLeader)).code, grpc.status.OK);
  } finally {
    atFollower.close();
    atLeader.close();
  }

  // `node demote` of the second manager: with two voters, its removal from the Raft group needs
  // its own acknowledgement, so its Raft stream must still be heard until then.
  await leader.manager.store.update((tx) => {
    const n = tx.get('nodes', creds.nodeId)!;
    tx.update('nodes', { ...n, spec: { ...n.spec, role: 'worker' } });
  });
  await waitFor(
    () => leader.manager.store.view((tx) => tx.get('nodes', creds.nodeId)?.role) === 'worker',
    'the demotion to complete',
  );
  assert.deepEqual(raft.status().confState.voters, [1]);
  assert.ok(raft.isLeader());
  // The cluster still writes.
  await leader.manager.store.update((tx) => tx.create('nodes', newNode('after-demotion')));
  // And the demoted manager's certificate no longer reaches Control.
  const forward = probes.get('Control/Forward')!;
  const demoted = clientOf(leader, creds);
  try {
    const r = await forward(demoted);
    assert.equal(r.code, grpc.status.PERMISSION_DENIED);
    assert.match(r.details, /was demoted to worker/);
  } finally {
    demoted.close();
  }
});
