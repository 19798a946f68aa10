// A root CA rotation on three real managers over loopback (mutual TLS, Raft on LevelDB, the CA,
// the HTTP API as shoald serves it) and a worker: `POST /swarm/update` with ForceRotate + 1
// starts it (RootRotationInProgress true); every node notices it through the CA (CertRenewal's
// roots check, as shoald runs it), renews from the new root over its old-root certificate and
// reports its issuer (written here as the agent's session would); the leader loop then finishes
// it (RootRotationInProgress false, new join tokens pinning the new root) and nodes drop the old
// root. The cluster keeps working (writes commit), and an old-root certificate is refused after.

import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { pino } from 'pino';
import { CertRenewal } from '../../daemon/cert-renewal.js';
import { NodeSwarmControl, type SwarmNodeView } from '../../daemon/node-swarm-control.js';
import type { SwarmMembership } from '../../daemon/node-state.js';
import { fetchSwarmRoots, renewNodeCertificate, type NodeCredentials } from '../../ca/ca-client.js';
import { parseJoinToken } from '../../ca/join-token.js';
import { generateNodeKeyAndCsr, signNodeCertificate } from '../../ca/node-certificate.js';
import { RootCA } from '../../ca/root-ca.js';
import { issuerOfCa, issuerOfCertificate, nodeTlsInfo, sameIssuer } from '../../ca/tls-info.js';
import { NODE_CHANNEL_OPTIONS, nodeChannelCredentials } from '../../ca/tls-credentials.js';
import { newClusterObject } from '../../manager/cluster-defaults.js';
import { withControlClient } from '../../manager/control/control-client.js';
import { createApiServer } from '../../manager/engineapi/server.js';
import type { ForwardedRequest, ForwardedResponse } from '../../manager/engineapi/swarm-control.js';
import { Manager } from '../../manager/manager.js';
import { generateId } from '../../manager/store/index.js';
import { freePort } from '../../manager/test/secured-manager.js';

const logger = pino({ level: 'silent' });
const cleanup: (() => Promise<unknown>)[] = [];
after(async () => {
  for (const c of cleanup.reverse()) await c().catch(() => undefined);
});

async function until(cond: () => boolean, what: string, ms = 30_000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

interface Member {
  readonly raftId: number;
  readonly addr: string;
  creds: NodeCredentials;
  manager?: Manager;
  api?: FastifyInstance;
}

test('root CA rotation: every node renews from the new root, then the rotation finishes', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'shoal-rotate-'));
  cleanup.push(() => rm(dir, { recursive: true, force: true }));
  const ca = await RootCA.create();
  const clusterId = generateId();
  const issue = async (role: 'manager' | 'worker'): Promise<NodeCredentials> => {
    const key = await generateNodeKeyAndCsr();
    const nodeId = generateId();
    const certPem = await signNodeCertificate(
      ca,
      key.csrPem,
      { nodeId, role, clusterId },
      { now: new Date() },
    );
    return { nodeId, role, clusterId, rootCaPem: ca.certPem, certPem, keyPem: key.keyPem };
  };
  const members: Member[] = [];
  for (const raftId of [1, 2, 3]) {
    members.push({ raftId, addr: `127.0.0.1:${await freePort()}`, creds: await issue('manager') });
  }
  const worker = { creds: await issue('worker') };
  const oldWorkerCreds = worker.creds;

  const start = async (m: Member, raft: { bootstrap: true } | { join: ReadonlyMap<number, string> }) => {
    const runApiRequest = async (req: ForwardedRequest): Promise<ForwardedResponse> => {
      const res = await m.api!.inject({
        method: req.method as 'POST',
        url: req.url,
        headers: req.headers,
        payload: Buffer.from(req.body),
      });
      const headers: Record<string, string> = {};
      for (const [k, v] of Object.entries(res.headers)) if (typeof v === 'string') headers[k] = v;
      return { status: res.statusCode, headers, body: res.rawPayload };
    };
    const manager = await Manager.start({
      raftId: m.raftId,
      dataDir: join(dir, `m${m.raftId}`),
      listenAddr: m.addr,
      advertiseAddr: m.addr,
      credentials: m.creds,
      raft,
      runApiRequest,
      logger,
      tickMs: 20,
    });
    m.manager = manager;
    cleanup.push(() => manager.close());
    const state: SwarmMembership = {
      version: 1,
      nodeId: m.creds.nodeId,
      clusterId,
      role: 'manager',
      raftId: m.raftId,
      listenAddr: m.addr,
      advertiseAddr: m.addr,
      managers: [],
    };
    const refuse = (): Promise<never> => Promise.reject(new Error('not in this test'));
    const node: SwarmNodeView = {
      nodeState: 'active',
      error: '',
      state,
      // As SwarmNode: the node's current credentials (forwarding to the leader dials with them).
      get credentials() {
        return m.creds;
      },
      manager,
      agent: undefined,
      init: refuse,
      join: refuse,
      leave: refuse,
      unlock: refuse,
    };
    const api = createApiServer({
      control: new NodeSwarmControl(node, join(dir, 'no-engine.sock')),
      build: { version: '0.1.0-test' },
    });
    await api.ready();
    m.api = api;
    cleanup.push(() => api.close());
  };

  const [m1, m2, m3] = members as [Member, Member, Member];
  await start(m1, { bootstrap: true });
  await until(() => m1.manager!.replicated.raft.isLeader(), 'the first manager to lead');
  const described = (c: NodeCredentials) => ({
    hostname: c.nodeId,
    platform: { architecture: 'x86_64', os: 'linux' },
    resources: { nanoCPUs: 0, memoryBytes: 0, generic: [] },
    engine: { engineVersion: 'test', labels: {}, plugins: [] },
    tlsInfo: nodeTlsInfo(c),
  });
  await m1.manager!.store.update((tx) => {
    tx.create('clusters', newClusterObject(clusterId, ca));
    for (const c of [...members.map((m) => m.creds), worker.creds]) {
      const m = members.find((x) => x.creds === c);
      tx.create('nodes', {
        id: c.nodeId,
        spec: { labels: {}, role: c.role, availability: 'active' },
        role: c.role,
        status: { state: 'ready', message: '', addr: '127.0.0.1' },
        ...(m === undefined
          ? {}
          : {
              managerStatus: { raftId: m.raftId, addr: m.addr, leader: m === m1, reachability: 'reachable' },
            }),
        description: described(c),
        attachments: [],
      });
    }
  });
  for (const m of [m2, m3]) {
    const joined = await withControlClient(
      m1.addr,
      nodeChannelCredentials(m.creds),
      NODE_CHANNEL_OPTIONS,
      (c) => c.joinRaft(m.raftId, m.addr, m.creds.nodeId),
    );
    await start(m, { join: joined });
  }
  await until(() => m1.manager!.replicated.raft.status().confState.voters.length === 3, 'three voters');
  await until(
    () => m3.manager!.store.view((tx) => tx.list('nodes').length) === 4,
    'the followers to catch up',
  );

  const leader = (): Manager => members.find((m) => m.manager!.replicated.raft.isLeader())!.manager!;
  const swarm = async (api: FastifyInstance) => {
    const res = await api.inject({ method: 'GET', url: '/v1.41/swarm' });
    assert.equal(res.statusCode, 200, res.body);
    return JSON.parse(res.body) as {
      Version: { Index: number };
      Spec: { CAConfig: { ForceRotate?: number } } & Record<string, unknown>;
      JoinTokens: { Worker: string; Manager: string };
      TLSInfo: { TrustRoot: string };
      RootRotationInProgress: boolean;
    };
  };

  // `docker swarm ca --rotate`, sent to a follower (forwarded to the leader).
  const before = await swarm(m2.api!);
  assert.equal(before.RootRotationInProgress, false);
  const spec = { ...before.Spec, CAConfig: { ...before.Spec.CAConfig, ForceRotate: 1 } };
  const update = await m2.api!.inject({
    method: 'POST',
    url: `/v1.41/swarm/update?version=${before.Version.Index}`,
    payload: JSON.stringify(spec),
    headers: { 'content-type': 'application/json' },
  });
  assert.equal(update.statusCode, 200, update.body);
  let during = await swarm(m3.api!);
  for (let i = 0; i < 100 && !during.RootRotationInProgress; i++) {
    await new Promise((r) => setTimeout(r, 50));
    during = await swarm(m3.api!);
  }
  assert.equal(during.RootRotationInProgress, true, 'the follower shows the rotation in progress');
  const newRootPem = during.TLSInfo.TrustRoot;
  assert.notEqual(newRootPem, ca.certPem, 'the cluster shows the root nodes move to');
  assert.equal(during.JoinTokens.Worker, before.JoinTokens.Worker, 'tokens change only at the end');

  // Each node follows the rotation as shoald does (roots checked every 100 ms here).
  const nodes: { creds: NodeCredentials; manager?: Manager; addr: string }[] = [
    ...members.map((m) => ({ creds: m.creds, manager: m.manager!, addr: m.addr })),
    { creds: worker.creds, addr: m2.addr },
  ];
  for (const n of nodes) {
    const renewal = new CertRenewal({
      current: () => n.creds,
      target: () => n.addr,
      renew: (target, current) => renewNodeCertificate(target, current),
      fetchRoots: (target, current) => fetchSwarmRoots(target, current),
      rootCheckMs: 100,
      onRenewed: async (renewed) => {
        n.creds = renewed;
        const member = members.find((m) => m.creds.nodeId === renewed.nodeId);
        if (member) member.creds = renewed;
        n.manager?.updateCredentials(renewed);
        // What the agent's new session reports (the dispatcher writes it on the leader).
        await leader().store.update((tx) => {
          const node = tx.get('nodes', renewed.nodeId);
          if (node) tx.update('nodes', { ...node, description: described(renewed) });
        });
      },
      logger,
      jitter: 0.5,
    });
    renewal.start();
    cleanup.push(() => Promise.resolve(renewal.stop()));
  }

  const newIssuer = issuerOfCa(newRootPem);
  await until(
    () => nodes.every((n) => sameIssuer(issuerOfCertificate(n.creds.certPem, n.creds.rootCaPem), newIssuer)),
    'every node to hold a certificate of the new root',
  );
  let finished = await swarm(m1.api!);
  for (let i = 0; i < 300 && finished.RootRotationInProgress; i++) {
    await new Promise((r) => setTimeout(r, 100));
    finished = await swarm(m1.api!);
  }
  assert.equal(finished.RootRotationInProgress, false, 'the leader loop finished the rotation');
  assert.equal(finished.TLSInfo.TrustRoot, newRootPem);
  assert.notEqual(finished.JoinTokens.Worker, before.JoinTokens.Worker);
  assert.notEqual(finished.JoinTokens.Manager, before.JoinTokens.Manager);
  assert.equal(
    parseJoinToken(finished.JoinTokens.Worker).caDigest,
    (await RootCA.fromPem(newRootPem)).digest,
  );
  await until(
    () => nodes.every((n) => n.creds.rootCaPem === newRootPem),
    'every node to trust the new root alone',
  );

  // The cluster still works: a write on a follower commits everywhere.
  const created = await m3.api!.inject({
    method: 'POST',
    url: '/v1.41/secrets/create',
    payload: JSON.stringify({ Name: 'after-rotation', Data: Buffer.from('x').toString('base64') }),
    headers: { 'content-type': 'application/json' },
  });
  assert.equal(created.statusCode, 201, created.body);
  await until(
    () => members.every((m) => m.manager!.store.view((tx) => tx.list('secrets').length) === 1),
    'the write on every manager',
  );

  // A certificate of the old root is refused now (the managers trust the new root alone).
  await assert.rejects(
    renewNodeCertificate(m1.addr, oldWorkerCreds),
    /UNAUTHENTICATED|certificate|not trusted/i,
  );
});
