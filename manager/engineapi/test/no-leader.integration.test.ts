// A manager whose Raft group has no leader (2 of 3 managers down) still answers what Docker
// answers then (issue 9, break 6): /_ping, /version and /info (Swarm.Error names the cause,
// ControlAvailable stays true as dockerd reports it, Cluster is never left out), reads from
// its last copy marked stale, and writes refused with Docker's "does not have a leader" 503.
// The real docker CLI runs against it: `docker version` and `docker info` work.

import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { accessSync, constants, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { test } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { NotLeaderError } from '../../../api/errors.js';
import { MemoryStore, type Proposer } from '../../store/index.js';
import { NoLeaderError } from '../control-errors.js';
import { createApiServer, listenApiServer } from '../server.js';
import { STALE_READ_WARNING } from '../stale-reads.js';
import type { SwarmControl } from '../swarm-control.js';
import { json, serviceBody, startHarness } from './harness.js';
import type { SingleNodeControl } from './single-node-control.js';

const NO_LEADER =
  "rpc error: code = Unknown desc = The swarm does not have a leader. It's possible that too few managers are online. Make sure more than half of the managers are online.";

/** A store that refuses every write as a follower's does when no leader is known. */
class LeaderlessProposer implements Proposer {
  propose(): Promise<unknown> {
    return Promise.reject(new NotLeaderError());
  }
}

/**
 * The manager `l` after its peers went away: the same state, no leader. Its forwards give up
 * at once, as NodeSwarmControl's do once the retry budget is spent (forward.test.ts covers the
 * retries, no-leader.integration.test.ts the real managers).
 */
function leaderless(l: SingleNodeControl): SwarmControl {
  const replica = new MemoryStore(new LeaderlessProposer());
  const live = l.store();
  replica.restore(live.appliedIndex, live.snapshot());
  return {
    localNodeState: () => l.localNodeState(),
    nodeId: () => l.nodeId(),
    nodeAddr: () => l.nodeAddr(),
    isManager: () => true,
    remoteManagers: () => l.remoteManagers(),
    engine: () => l.engine(),
    init: (r) => l.init(r),
    join: (r) => l.join(r),
    leave: (f) => l.leave(f),
    joinTokens: () => l.joinTokens(),
    rotateJoinToken: () => Promise.reject(new NoLeaderError()),
    unlockKey: () => l.unlockKey(),
    unlock: () => l.unlock(),
    taskLogs: (ids, opts) => l.taskLogs(ids, opts),
    store: () => replica,
    leaderRaftId: () => 0,
    forwardToLeader: () => Promise.reject(new NoLeaderError()),
  };
}

async function leaderlessApi(): Promise<{
  app: FastifyInstance;
  serviceId: string;
  close: () => Promise<void>;
}> {
  const h = await startHarness();
  const created = await h.request('POST', '/services/create', serviceBody('web'));
  assert.equal(created.statusCode, 201);
  const app = createApiServer({ control: leaderless(h.control), build: { version: '0.1.0-test' } });
  await app.ready();
  return {
    app,
    serviceId: json<{ ID: string }>(created).ID,
    close: async () => {
      await app.close();
      await h.close();
    },
  };
}

test('without a leader: /_ping, /version and /info answer 200; /info reports the cause', async () => {
  const { app, close } = await leaderlessApi();
  try {
    const ping = await app.inject({ method: 'GET', url: '/_ping' });
    assert.equal(ping.statusCode, 200);
    assert.equal(ping.body, 'OK');
    assert.equal(ping.headers['swarm'], 'active/manager');
    const head = await app.inject({ method: 'HEAD', url: '/v1.41/_ping' });
    assert.equal(head.statusCode, 200);
    const version = await app.inject({ method: 'GET', url: '/v1.41/version' });
    assert.equal(version.statusCode, 200);
    assert.equal(json(version)['Version'], '0.1.0-test');
    const info = await app.inject({ method: 'GET', url: '/v1.41/info' });
    assert.equal(info.statusCode, 200);
    const swarm = json<{ Swarm: Record<string, unknown> }>(info).Swarm;
    assert.equal(swarm['LocalNodeState'], 'active');
    assert.equal(swarm['ControlAvailable'], true, 'dockerd: a manager keeps its control API');
    assert.equal(swarm['Error'], NO_LEADER);
    assert.equal(swarm['Nodes'], 1, "the manager's last copy");
    assert.equal(swarm['Managers'], 1);
    assert.equal(typeof (swarm['Cluster'] as Record<string, unknown>)['ID'], 'string');
  } finally {
    await close();
  }
});

test('without a leader: reads answer from the last copy with a staleness warning; writes get 503', async () => {
  const { app, serviceId, close } = await leaderlessApi();
  try {
    for (const url of ['/v1.41/nodes', '/v1.41/services', `/v1.41/services/${serviceId}`, '/v1.41/swarm']) {
      const res = await app.inject({ method: 'GET', url });
      assert.equal(res.statusCode, 200, url);
      assert.equal(res.headers['warning'], STALE_READ_WARNING, url);
    }
    assert.equal(
      json<{ ID: string }[]>(await app.inject({ method: 'GET', url: '/services' }))[0]?.ID,
      serviceId,
    );
    // The last copy records this manager as leader; without one, node ls names no Leader.
    const nodes = json<{ ManagerStatus?: { Leader?: boolean; Reachability: string } }[]>(
      await app.inject({ method: 'GET', url: '/nodes' }),
    );
    assert.equal(nodes[0]?.ManagerStatus?.Reachability, 'reachable');
    assert.equal(nodes[0]?.ManagerStatus?.Leader, undefined);
    const version = json<{ Version: { Index: number } }>(
      await app.inject({ method: 'GET', url: `/services/${serviceId}` }),
    ).Version.Index;
    const writes: [string, string, unknown][] = [
      ['POST', '/v1.41/services/create', serviceBody('api')],
      ['POST', `/v1.41/services/${serviceId}/update?version=${version}`, serviceBody('web')],
      ['DELETE', `/v1.41/services/${serviceId}`, undefined],
    ];
    for (const [method, url, body] of writes) {
      const res = await app.inject({
        method: method as 'POST',
        url,
        ...(body === undefined
          ? {}
          : { payload: JSON.stringify(body), headers: { 'content-type': 'application/json' } }),
      });
      assert.equal(res.statusCode, 503, `${method} ${url}: ${res.body}`);
      assert.deepEqual(json(res), { message: NO_LEADER }, url);
      assert.equal(res.headers['warning'], undefined, 'only successful reads are marked');
    }
  } finally {
    await close();
  }
});

function findDocker(): string | undefined {
  for (const c of [
    '/usr/bin/docker',
    ...(process.env['PATH'] ?? '').split(delimiter).map((d) => join(d, 'docker')),
  ]) {
    try {
      accessSync(c, constants.X_OK);
      return c;
    } catch {
      // next
    }
  }
  return undefined;
}

test('without a leader: the docker CLI runs `docker version` and `docker info`, and shows the cause', async () => {
  const docker = findDocker();
  assert.ok(docker, 'the docker CLI is needed for this test: apt-get install docker.io');
  const dir = mkdtempSync(join(tmpdir(), 'shoal-noleader-'));
  const socket = join(dir, 'shoal.sock');
  const { app, close } = await leaderlessApi();
  try {
    await listenApiServer(app, { socketPath: socket });
    const run = (...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> =>
      new Promise((resolve) =>
        execFile(
          docker,
          ['-H', `unix://${socket}`, ...args],
          {
            env: { PATH: process.env['PATH'] ?? '', HOME: dir, DOCKER_CONFIG: join(dir, '.docker') },
            timeout: 20_000,
          },
          (error, stdout, stderr) =>
            resolve({
              code: error === null ? 0 : typeof error.code === 'number' ? error.code : 1,
              stdout,
              stderr,
            }),
        ),
      );
    const version = await run('version');
    assert.equal(version.code, 0, version.stderr);
    assert.match(version.stdout, /Server: shoal/);
    const info = await run('info');
    assert.equal(info.code, 0, info.stderr);
    assert.doesNotMatch(info.stderr + info.stdout, /panic|nil pointer|template/);
    assert.match(info.stdout, /Swarm: active/);
    assert.match(info.stdout, /Is Manager: true/);
    assert.match(info.stdout, /Error: rpc error: code = Unknown desc = The swarm does not have a leader/);
    const ls = await run('service', 'ls');
    assert.equal(ls.code, 0, ls.stderr);
    assert.match(ls.stdout, /web/);
    const create = await run('service', 'create', '--name', 'api', 'shoal/busybox', 'sleep', '1000');
    assert.notEqual(create.code, 0);
    assert.match(
      create.stderr,
      /Error response from daemon: rpc error: code = Unknown desc = The swarm does not have a leader/,
    );
  } finally {
    await close();
    rmSync(dir, { recursive: true, force: true });
  }
});
