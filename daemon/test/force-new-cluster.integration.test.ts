// Disaster recovery with three real managers over loopback (mutual TLS, Raft on LevelDB, the
// Control service): a service and its tasks exist, two managers are lost for good, and the
// survivor's Raft log is rewritten as `swarm init --force-new-cluster` does (daemon/
// force-new-cluster.ts). It leads alone with every object intact and takes writes; the lost
// managers' nodes stay, unreachable; two fresh managers join and the group has three voters
// again; an old manager restarted with its old state is refused (with the remedy in its log)
// and neither leads nor raises the leader's term.

import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { after, test } from 'node:test';
import { pino } from 'pino';
import type { NodeCredentials } from '../../ca/ca-client.js';
import { generateNodeKeyAndCsr, signNodeCertificate } from '../../ca/node-certificate.js';
import { RootCA } from '../../ca/root-ca.js';
import { NODE_CHANNEL_OPTIONS, nodeChannelCredentials } from '../../ca/tls-credentials.js';
import { newService } from '../../api/objects/test/fixtures.js';
import { ensureIngressNetwork } from '../../manager/allocator/ingress.js';
import { newClusterObject } from '../../manager/cluster-defaults.js';
import { withControlClient } from '../../manager/control/control-client.js';
import { Manager } from '../../manager/manager.js';
import { REFUSED_BY_PEER } from '../../manager/raft/driver/errors.js';
import { generateId } from '../../manager/store/index.js';
import { rewriteAsNewCluster } from '../force-new-cluster.js';
import type { SwarmMembership } from '../node-state.js';
import { freePort } from '../../manager/test/secured-manager.js';

const logger = pino({ level: process.env['SHOAL_TEST_LOG'] ?? 'silent' });
const cleanup: (() => Promise<unknown>)[] = [];
after(async () => {
  for (const c of cleanup.reverse()) await c().catch(() => undefined);
});

async function until(cond: () => boolean, what: string, ms = 20_000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

interface Member {
  readonly raftId: number;
  readonly addr: string;
  readonly dir: string;
  readonly creds: NodeCredentials;
  manager?: Manager;
}

test('3 managers, 2 lost: force-new-cluster keeps services and tasks, 2 new managers join, an old one stays out', async () => {
  const root = await mkdtemp(join(tmpdir(), 'shoal-fnc-'));
  cleanup.push(() => rm(root, { recursive: true, force: true }));
  const ca = await RootCA.create();
  const clusterId = generateId();
  const member = async (raftId: number): Promise<Member> => {
    const key = await generateNodeKeyAndCsr();
    const nodeId = generateId();
    const certPem = await signNodeCertificate(
      ca,
      key.csrPem,
      { nodeId, role: 'manager', clusterId },
      { now: new Date() },
    );
    return {
      raftId,
      addr: `127.0.0.1:${await freePort()}`,
      dir: join(root, `m${raftId}`),
      creds: { nodeId, role: 'manager', clusterId, rootCaPem: ca.certPem, certPem, keyPem: key.keyPem },
    };
  };
  const start = async (
    m: Member,
    raft: { bootstrap: true } | { join: ReadonlyMap<number, string> } | { resume: true },
    log = logger,
  ): Promise<Manager> => {
    const manager = await Manager.start({
      raftId: m.raftId,
      dataDir: m.dir,
      listenAddr: m.addr,
      advertiseAddr: m.addr,
      credentials: m.creds,
      raft,
      runApiRequest: () => Promise.reject(new Error('not in this test')),
      logger: log,
      tickMs: 20,
    });
    m.manager = manager;
    cleanup.push(() => manager.close());
    return manager;
  };
  const managerNode = (m: Member, leader: boolean) => ({
    id: m.creds.nodeId,
    spec: { labels: {}, role: 'manager' as const, availability: 'active' as const },
    role: 'manager' as const,
    status: { state: 'ready' as const, message: '', addr: '127.0.0.1' },
    managerStatus: { raftId: m.raftId, addr: m.addr, leader, reachability: 'reachable' as const },
    attachments: [],
  });
  /** As `swarm join` with a manager token: the CA records the node, then Control.JoinRaft. */
  const joinManager = async (leader: Member, m: Member): Promise<void> => {
    await leader.manager!.store.update((tx) => {
      const { managerStatus: _none, ...node } = managerNode(m, false);
      tx.create('nodes', node);
    });
    const joined = await withControlClient(
      leader.addr,
      nodeChannelCredentials(m.creds),
      NODE_CHANNEL_OPTIONS,
      (c) => c.joinRaft(m.raftId, m.addr, m.creds.nodeId),
    );
    await start(m, { join: joined });
  };

  const [m1, m2, m3] = [await member(1), await member(2), await member(3)];
  await start(m1, { bootstrap: true });
  await until(() => m1.manager!.replicated.raft.isLeader(), 'the first manager to lead');
  await m1.manager!.store.update((tx) => {
    tx.create('clusters', newClusterObject(clusterId, ca));
    ensureIngressNetwork(tx);
    tx.create('nodes', managerNode(m1, true));
  });
  for (const m of [m2, m3]) await joinManager(m1, m);
  await until(() => m1.manager!.replicated.raft.status().confState.voters.length === 3, 'three voters');
  await m1.manager!.store.update(
    (tx) => void tx.create('services', newService('svcweb', 'web', { kind: 'replicated', replicas: 3 })),
  );
  const tasksOf = (m: Member) =>
    m.manager!.store.view((tx) =>
      tx
        .find('tasks', 'serviceId', 'svcweb')
        .map((t) => t.id)
        .sort(),
    );
  await until(() => tasksOf(m1).length === 3, 'the orchestrator to create the tasks');
  const tasks = tasksOf(m1);
  await until(() => JSON.stringify(tasksOf(m2)) === JSON.stringify(tasks), 'm2 to have the tasks');
  const nodesBefore = m2.manager!.store.view((tx) =>
    tx
      .list('nodes')
      .map((n) => n.id)
      .sort(),
  );

  // m1 and m3 are lost for good; m2 has no quorum. The operator runs --force-new-cluster on m2.
  await m1.manager!.close();
  await m3.manager!.close();
  await m2.manager!.close();
  const state: SwarmMembership & { raftId: number } = {
    version: 1,
    nodeId: m2.creds.nodeId,
    clusterId,
    role: 'manager',
    raftId: m2.raftId,
    listenAddr: m2.addr,
    advertiseAddr: m2.addr,
    managers: [],
  };
  const next = await rewriteAsNewCluster({
    swarmDir: m2.dir,
    state,
    req: { listenAddr: m2.addr, forceNewCluster: true },
    logger,
  });
  assert.deepEqual(next.managers, [{ nodeId: m2.creds.nodeId, addr: m2.addr }]);
  const recovered = await start(m2, { resume: true });
  const raft = recovered.replicated.raft;
  await until(() => raft.isLeader(), 'the recovered manager to lead');
  assert.deepEqual(raft.status().confState, { voters: [m2.raftId], learners: [] });

  // Everything committed is there: the service, its tasks, the nodes (the lost managers too).
  assert.equal(recovered.store.view((tx) => tx.get('services', 'svcweb'))?.spec.name, 'web');
  assert.deepEqual(tasksOf(m2), tasks);
  assert.deepEqual(
    recovered.store.view((tx) =>
      tx
        .list('nodes')
        .map((n) => n.id)
        .sort(),
    ),
    nodesBefore,
  );
  // The lost managers stay as managers, unreachable, for the operator to demote and remove.
  await until(
    () =>
      recovered.store.view((tx) =>
        [m1, m3].every((m) => {
          const ms = tx.get('nodes', m.creds.nodeId)?.managerStatus;
          return ms !== undefined && !ms.leader && ms.reachability === 'unreachable';
        }),
      ),
    'the lost managers to show as unreachable',
  );
  await recovered.store.update((tx) => void tx.create('services', newService('svcafter', 'after')));

  // Two fresh managers join: three voters again, and they have everything.
  const [m4, m5] = [await member(4), await member(5)];
  for (const m of [m4, m5]) await joinManager(m2, m);
  await until(() => raft.status().confState.voters.length === 3, 'three voters again');
  assert.deepEqual([...raft.status().confState.voters].sort(), [2, 4, 5]);
  for (const m of [m4, m5]) {
    await until(
      () => m.manager!.store.view((tx) => tx.get('services', 'svcafter')) !== undefined,
      `m${m.raftId}`,
    );
    assert.deepEqual(tasksOf(m), tasksOf(m2));
  }

  // An old manager comes back with its old state: refused, told what to do, and harmless.
  const lines: string[] = [];
  const captured = pino(
    { level: 'warn' },
    new Writable({
      write(chunk: Buffer, _enc, done) {
        lines.push(chunk.toString());
        done();
      },
    }),
  );
  const { term } = raft.status();
  const old = await start(m1, { resume: true }, captured);
  await until(
    () => lines.some((l) => l.includes(REFUSED_BY_PEER)),
    'the old manager to log its refusal',
    10_000,
  );
  await new Promise((r) => setTimeout(r, 1_000));
  assert.ok(raft.isLeader(), 'the recovered manager still leads');
  assert.equal(raft.status().term, term, 'the old manager raised no term');
  assert.equal(old.replicated.raft.isLeader(), false);
  assert.equal(
    old.store.view((tx) => tx.get('services', 'svcafter')),
    undefined,
  );
  assert.ok(!raft.status().confState.voters.includes(m1.raftId));
  await recovered.store.update((tx) => void tx.create('services', newService('svclast', 'last')));
  await until(
    () => m5.manager!.store.view((tx) => tx.get('services', 'svclast')) !== undefined,
    'a write after',
  );
});
