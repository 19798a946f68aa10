// Three real managers over loopback (mutual TLS, Raft on LevelDB, the Control service), each
// with the HTTP API over NodeSwarmControl as shoald wires it. Writes on a follower are
// forwarded to the leader; then the leader and one more manager stop, and the survivor, left
// without a leader (issue 9, break 6), still answers /_ping, /version and /info (Swarm.Error
// names the cause), serves reads from its last copy marked stale, and refuses writes with
// Docker's "does not have a leader" 503 — never a 500, never raw gRPC text — and the docker
// CLI's `docker version` and `docker info` work against it.

import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { after, test } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { pino } from 'pino';
import { ensureIngressNetwork } from '../../manager/allocator/ingress.js';
import { createApiServer, listenApiServer } from '../../manager/engineapi/server.js';
import { STALE_READ_WARNING } from '../../manager/engineapi/stale-reads.js';
import type { ForwardedRequest, ForwardedResponse } from '../../manager/engineapi/swarm-control.js';
import type { NodeCredentials } from '../../ca/ca-client.js';
import { generateNodeKeyAndCsr, signNodeCertificate } from '../../ca/node-certificate.js';
import { RootCA } from '../../ca/root-ca.js';
import { NODE_CHANNEL_OPTIONS, nodeChannelCredentials } from '../../ca/tls-credentials.js';
import { newClusterObject } from '../../manager/cluster-defaults.js';
import { withControlClient } from '../../manager/control/control-client.js';
import { Manager } from '../../manager/manager.js';
import { generateId } from '../../manager/store/index.js';
import type { SwarmMembership } from '../node-state.js';
import { NodeSwarmControl, type SwarmNodeView } from '../node-swarm-control.js';
import { freePort } from '../../manager/test/secured-manager.js';

const NO_LEADER =
  "rpc error: code = Unknown desc = The swarm does not have a leader. It's possible that too few managers are online. Make sure more than half of the managers are online.";
const logger = pino({ level: 'silent' });
const cleanup: (() => Promise<unknown>)[] = [];
after(async () => {
  for (const c of cleanup.reverse()) await c().catch(() => undefined);
});

/** A free loopback port (asked of the kernel with port 0): managers advertise it before binding. */
async function until(cond: () => boolean, what: string, ms = 15_000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

interface Member {
  readonly raftId: number;
  readonly addr: string;
  readonly creds: NodeCredentials;
  manager?: Manager;
  api?: FastifyInstance;
}

test('a manager without a leader answers ping, version, info and reads, and refuses writes with 503', async () => {
  const root = await mkdtemp(join(tmpdir(), 'shoal-noleader-'));
  cleanup.push(() => rm(root, { recursive: true, force: true }));
  const ca = await RootCA.create();
  const clusterId = generateId();
  const members: Member[] = [];
  for (const raftId of [1, 2, 3]) {
    const key = await generateNodeKeyAndCsr();
    const nodeId = generateId();
    const certPem = await signNodeCertificate(
      ca,
      key.csrPem,
      { nodeId, role: 'manager', clusterId },
      { now: new Date() },
    );
    members.push({
      raftId,
      addr: `127.0.0.1:${await freePort()}`,
      creds: { nodeId, role: 'manager', clusterId, rootCaPem: ca.certPem, certPem, keyPem: key.keyPem },
    });
  }

  const start = async (m: Member, raft: { bootstrap: true } | { join: ReadonlyMap<number, string> }) => {
    // As Daemon.start: the API answers requests other managers forward, in-process.
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
      dataDir: join(root, `m${m.raftId}`),
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
      credentials: m.creds,
      manager,
      agent: undefined,
      init: refuse,
      join: refuse,
      leave: refuse,
      unlock: refuse,
    };
    const api = createApiServer({
      control: new NodeSwarmControl(node, join(root, 'no-engine.sock')),
      build: { version: '0.1.0-test' },
    });
    await api.ready();
    m.api = api;
    cleanup.push(() => api.close());
  };

  const [m1, m2, m3] = members as [Member, Member, Member];
  await start(m1, { bootstrap: true });
  await until(() => m1.manager!.replicated.raft.isLeader(), 'the first manager to lead');
  await m1.manager!.store.update((tx) => {
    tx.create('clusters', newClusterObject(clusterId, ca));
    ensureIngressNetwork(tx);
    for (const m of members) {
      tx.create('nodes', {
        id: m.creds.nodeId,
        spec: { labels: {}, role: 'manager', availability: 'active' },
        role: 'manager',
        status: { state: 'ready', message: '', addr: '127.0.0.1' },
        managerStatus: { raftId: m.raftId, addr: m.addr, leader: m === m1, reachability: 'reachable' },
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
    () => m2.manager!.store.view((tx) => tx.list('nodes').length) === 3,
    'the follower to catch up',
  );

  // With a leader: a write on a follower is forwarded and relayed.
  const body = JSON.stringify({
    Name: 'web',
    TaskTemplate: { ContainerSpec: { Image: 'shoal/busybox:latest', Args: ['sleep', '1000'] } },
    Mode: { Replicated: { Replicas: 1 } },
  });
  const post = (api: FastifyInstance, name: string) =>
    api.inject({
      method: 'POST',
      url: '/v1.41/services/create',
      payload: body.replace('"web"', JSON.stringify(name)),
      headers: { 'content-type': 'application/json' },
    });
  const created = await post(m2.api!, 'web');
  assert.equal(created.statusCode, 201, created.body);
  await until(() => m2.manager!.store.view((tx) => tx.list('services').length) === 1, 'the service on m2');

  // The leader and one more manager stop: m2 is left alone, a minority.
  await m1.manager!.close();
  await m3.manager!.close();

  // A write at once, while m2 may still name the dead leader: its forward cannot connect, is
  // retried, and ends in Docker's answer, not "14 UNAVAILABLE: No connection established".
  const early = await post(m2.api!, 'api');
  assert.equal(early.statusCode, 503, early.body);
  assert.deepEqual(JSON.parse(early.body), { message: NO_LEADER });

  await until(() => m2.manager!.replicated.raft.leader().id === 0, 'm2 to know no leader');
  const api = m2.api!;
  const ping = await api.inject({ method: 'GET', url: '/_ping' });
  assert.equal(ping.statusCode, 200);
  assert.equal(ping.body, 'OK');
  assert.equal((await api.inject({ method: 'HEAD', url: '/v1.41/_ping' })).statusCode, 200);
  assert.equal((await api.inject({ method: 'GET', url: '/v1.41/version' })).statusCode, 200);
  const info = await api.inject({ method: 'GET', url: '/v1.41/info' });
  assert.equal(info.statusCode, 200, info.body);
  const swarm = (JSON.parse(info.body) as { Swarm: Record<string, unknown> }).Swarm;
  assert.equal(swarm['LocalNodeState'], 'active');
  assert.equal(swarm['ControlAvailable'], true);
  assert.equal(swarm['Error'], NO_LEADER);
  assert.equal(swarm['Managers'], 3);
  assert.equal(
    (swarm['Cluster'] as { ID?: string }).ID,
    m2.manager!.store.view((tx) => tx.list('clusters')[0]?.id),
  );

  for (const url of ['/v1.41/services', '/v1.41/nodes', '/v1.41/tasks', '/v1.41/swarm', '/v1.41/networks']) {
    const res = await api.inject({ method: 'GET', url });
    assert.equal(res.statusCode, 200, `${url}: ${res.body}`);
    assert.equal(res.headers['warning'], STALE_READ_WARNING, url);
  }
  const services = JSON.parse((await api.inject({ method: 'GET', url: '/services' })).body) as {
    Spec: { Name: string };
  }[];
  assert.deepEqual(
    services.map((s) => s.Spec.Name),
    ['web'],
  );
  const late = await post(api, 'api');
  assert.equal(late.statusCode, 503);
  assert.deepEqual(JSON.parse(late.body), { message: NO_LEADER });

  // The docker CLI against the survivor.
  const docker = [
    '/usr/bin/docker',
    ...(process.env['PATH'] ?? '').split(delimiter).map((d) => join(d, 'docker')),
  ].find((c) => {
    try {
      accessSync(c, constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
  assert.ok(docker, 'the docker CLI is needed for this test: apt-get install docker.io');
  const socket = join(root, 'm2.sock');
  await listenApiServer(api, { socketPath: socket });
  const run = (...args: string[]): Promise<{ code: number; out: string }> =>
    new Promise((resolve) =>
      execFile(
        docker,
        ['-H', `unix://${socket}`, ...args],
        {
          env: { PATH: process.env['PATH'] ?? '', HOME: root, DOCKER_CONFIG: join(root, '.docker') },
          timeout: 20_000,
        },
        (error, stdout, stderr) =>
          resolve({
            code: error === null ? 0 : typeof error.code === 'number' ? error.code : 1,
            out: stdout + stderr,
          }),
      ),
    );
  const version = await run('version');
  assert.equal(version.code, 0, version.out);
  assert.match(version.out, /Server: shoal/);
  const dockerInfo = await run('info');
  assert.equal(dockerInfo.code, 0, dockerInfo.out);
  assert.match(dockerInfo.out, /Is Manager: true/);
  assert.match(dockerInfo.out, /The swarm does not have a leader/);
  assert.doesNotMatch(dockerInfo.out, /panic|nil pointer/);
});
