// The Control service over real gRPC on loopback: a manager joins the Raft group through
// JoinRaft, a follower's request is forwarded to and run by the leader, a certificate a
// follower's CA issued is recorded by the leader, a non-manager caller is refused, and a
// manager leaves.

import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import * as grpc from '@grpc/grpc-js';
import { pino } from 'pino';
import { ReplicatedStore } from '../../replication/replicated-store.js';
import { ControlClient } from '../control-client.js';
import { registerControlService } from '../control-service.js';
import type { ForwardedRequest } from '../../engineapi/swarm-control.js';
import type { IssuedCertificate } from '../../ca/ca-backend.js';
import { StoreCaBackend } from '../../ca/store-ca-backend.js';

const logger = pino({ level: 'silent' });
const cleanup: (() => Promise<void>)[] = [];
after(async () => {
  for (const c of cleanup.reverse()) await c().catch(() => {});
});

async function bind(server: grpc.Server): Promise<number> {
  return new Promise((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (e, port) =>
      e ? reject(e) : resolve(port),
    ),
  );
}

/** A manager: one gRPC server carrying Raft and Control, as on port 2377. */
async function manager(
  root: string,
  id: number,
  opts: { bootstrap?: Map<number, string>; join?: Map<number, string> },
  allowed: { manager: boolean; nodeId: string; removed?: Set<string> },
): Promise<{ store: ReplicatedStore; address: string; ran: ForwardedRequest[]; ca: StoreCaBackend }> {
  const server = new grpc.Server();
  const port = await bind(server);
  const address = `127.0.0.1:${port}`;
  const store = await ReplicatedStore.open({
    id,
    dataDir: join(root, `m${id}`),
    listen: '',
    advertise: address,
    server,
    logger,
    tickMs: 20,
    ...(opts.bootstrap ? { bootstrap: opts.bootstrap } : {}),
    ...(opts.join ? { join: opts.join } : {}),
  });
  const ran: ForwardedRequest[] = [];
  const joined = new Map<string, number>();
  // As manager.ts wires it: a follower's CA hands its records to the leader's Control service.
  const ca = new StoreCaBackend(store.store, {
    forwardToLeader: async (issued) => {
      const leader = new ControlClient(store.raft.leader().address ?? '', grpc.credentials.createInsecure());
      try {
        await leader.recordCertificate(issued);
      } finally {
        leader.close();
      }
    },
  });
  registerControlService(server, {
    raft: store.raft,
    logger,
    recordCertificate: (issued) => ca.recordCertificate(issued),
    authorizeManager: () => {
      if (!allowed.manager) {
        throw Object.assign(new Error('manager certificate required'), {
          code: grpc.status.PERMISSION_DENIED,
        });
      }
      return { nodeId: allowed.nodeId };
    },
    onJoined: (m) => {
      // As manager.ts does: a node already deleted from the store gets no record.
      if (allowed.removed?.has(m.nodeId)) return Promise.resolve();
      joined.set(m.nodeId, m.raftId);
      return Promise.resolve();
    },
    raftIdOf: (nodeId) => joined.get(nodeId),
    runApiRequest: (req) => {
      ran.push(req);
      return Promise.resolve({
        status: 201,
        headers: { 'content-type': 'application/json' },
        body: new TextEncoder().encode(JSON.stringify({ ranOn: id, url: req.url })),
      });
    },
  });
  cleanup.push(async () => {
    await store.close();
    server.forceShutdown();
  });
  return { store, address, ran, ca };
}

test('JoinRaft adds a manager; Forward runs on the leader; non-managers are refused; LeaveRaft removes', async () => {
  const root = await mkdtemp(join(tmpdir(), 'shoal-control-'));
  cleanup.push(() => rm(root, { recursive: true, force: true }));
  const allowed = { manager: true, nodeId: 'node-two' };
  const m1 = await manager(root, 1, { bootstrap: new Map([[1, '']]) }, allowed);
  for (let i = 0; i < 200 && !m1.store.raft.isLeader(); i++) await new Promise((r) => setTimeout(r, 10));
  assert.ok(m1.store.raft.isLeader());

  const m2 = await manager(root, 2, { join: new Map([[1, m1.address]]) }, allowed);
  const client = new ControlClient(m1.address, grpc.credentials.createInsecure());
  cleanup.push(() => Promise.resolve(client.close()));
  const members = await client.joinRaft(2, m2.address, 'node-two');
  assert.deepEqual([...members.keys()].sort(), [1, 2]);
  // It joins as a learner; the leader promotes it once it has caught up.
  assert.deepEqual(m1.store.raft.status().confState.learners, [2]);
  for (let i = 0; i < 300 && m1.store.raft.status().confState.voters.length < 2; i++)
    await new Promise((r) => setTimeout(r, 10));
  assert.deepEqual(m1.store.raft.status().confState.voters, [1, 2]);

  const res = await client.forward({
    method: 'POST',
    url: '/v1.41/services/create',
    headers: { a: 'b' },
    body: new Uint8Array([1, 2]),
  });
  assert.equal(res.status, 201);
  assert.deepEqual(JSON.parse(new TextDecoder().decode(res.body)), {
    ranOn: 1,
    url: '/v1.41/services/create',
  });
  assert.deepEqual([...m1.ran[0]!.body], [1, 2]);

  // The follower refuses to run forwarded requests itself: only the leader does.
  const toFollower = new ControlClient(m2.address, grpc.credentials.createInsecure());
  cleanup.push(() => Promise.resolve(toFollower.close()));
  await assert.rejects(
    toFollower.forward({ method: 'GET', url: '/x', headers: {}, body: new Uint8Array() }),
    (e: unknown) => {
      assert.equal((e as grpc.ServiceError).code, grpc.status.FAILED_PRECONDITION);
      return true;
    },
  );

  // A node joining through the follower: its CA's record reaches the store through the leader.
  const issued: IssuedCertificate = {
    nodeId: 'joiner-node',
    role: 'worker',
    certificatePem: '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n',
    csrPem: '-----BEGIN CERTIFICATE REQUEST-----\nMIIB\n-----END CERTIFICATE REQUEST-----\n',
    reason: 'join',
    peer: 'ipv4:10.0.0.9:40000',
    issuedAt: new Date('2026-11-25T12:00:00Z'),
  };
  await m2.ca.recordCertificate(issued);
  const recorded = m1.store.store.view((tx) => tx.get('nodes', 'joiner-node'));
  assert.equal(recorded?.role, 'worker');
  assert.equal(recorded?.status.addr, '10.0.0.9');
  assert.match(recorded?.certificate?.certificate ?? '', /BEGIN CERTIFICATE/);
  // A malformed record is refused with a reason, and nothing is written.
  await assert.rejects(
    client.recordCertificate({ ...issued, nodeId: 'x', role: 'admin' as 'worker' }),
    (e: unknown) => {
      assert.equal((e as grpc.ServiceError).code, grpc.status.INVALID_ARGUMENT);
      assert.match((e as grpc.ServiceError).details, /unknown role "admin"/);
      return true;
    },
  );
  assert.equal(
    m1.store.store.view((tx) => tx.get('nodes', 'x')),
    undefined,
  );
  // The follower does not record one itself when asked directly.
  await assert.rejects(toFollower.recordCertificate(issued), (e: unknown) => {
    assert.equal((e as grpc.ServiceError).code, grpc.status.FAILED_PRECONDITION);
    return true;
  });

  allowed.manager = false;
  await assert.rejects(client.joinRaft(3, '127.0.0.1:1', 'node-three'), (e: unknown) => {
    assert.equal((e as grpc.ServiceError).code, grpc.status.PERMISSION_DENIED);
    return true;
  });
  allowed.manager = true;
  // A manager joins as itself only, and leaves only its own Raft member.
  await assert.rejects(client.joinRaft(3, '127.0.0.1:1', 'node-three'), (e: unknown) => {
    assert.equal((e as grpc.ServiceError).code, grpc.status.PERMISSION_DENIED);
    assert.match((e as grpc.ServiceError).details, /cannot join the Raft group as node node-three/);
    return true;
  });
  allowed.nodeId = 'node-one';
  await assert.rejects(client.leaveRaft(2), (e: unknown) => {
    assert.equal((e as grpc.ServiceError).code, grpc.status.PERMISSION_DENIED);
    assert.match((e as grpc.ServiceError).details, /Raft member 2 is not node node-one/);
    return true;
  });
  assert.deepEqual(m1.store.raft.status().confState.voters, [1, 2]);
  allowed.nodeId = 'node-two';

  await client.leaveRaft(2);
  assert.deepEqual(m1.store.raft.status().confState.voters, [1]);
});

test('JoinRaft of a node removed while it joined removes its learner again and refuses', async () => {
  const root = await mkdtemp(join(tmpdir(), 'shoal-control-'));
  cleanup.push(() => rm(root, { recursive: true, force: true }));
  const allowed = { manager: true, nodeId: 'node-gone', removed: new Set(['node-gone']) };
  const m1 = await manager(root, 1, { bootstrap: new Map([[1, '']]) }, allowed);
  for (let i = 0; i < 200 && !m1.store.raft.isLeader(); i++) await new Promise((r) => setTimeout(r, 10));
  assert.ok(m1.store.raft.isLeader());
  const client = new ControlClient(m1.address, grpc.credentials.createInsecure());
  cleanup.push(() => Promise.resolve(client.close()));
  await assert.rejects(client.joinRaft(7, '127.0.0.1:1', 'node-gone'), (e: unknown) => {
    assert.equal((e as grpc.ServiceError).code, grpc.status.FAILED_PRECONDITION);
    assert.match((e as grpc.ServiceError).details, /was removed from the swarm while it joined/);
    return true;
  });
  assert.deepEqual(m1.store.raft.status().confState, { voters: [1], learners: [] });
});
