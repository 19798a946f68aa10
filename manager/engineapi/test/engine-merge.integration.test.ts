// Where shoal and the engine both own a part, the answer merges them as dockerd does: local
// networks (also outside a swarm, where /networks used to answer 503) beside the swarm's, local
// creates and removes on the engine, /info with the engine's containers and shoal's Swarm
// section, /version with both, /events with both streams.

import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { createApiServer, listenApiServer } from '../server.js';
import { call, open } from './engine-endpoint-client.js';
import { startFakeEngine, type FakeEngine } from './fake-engine.js';
import { SingleNodeControl } from './single-node-control.js';

interface NetworkView {
  readonly Name: string;
  readonly Id: string;
  readonly Scope: string;
  readonly Driver: string;
}

function networks(body: Buffer): NetworkView[] {
  return JSON.parse(body.toString()) as NetworkView[];
}

describe('engine and swarm merged', () => {
  let engine: FakeEngine;
  let app: FastifyInstance;
  let control: SingleNodeControl;
  let dir: string;
  let sock: string;

  before(async () => {
    engine = await startFakeEngine();
    dir = await mkdtemp(join(tmpdir(), 'shoal-merge-'));
    sock = join(dir, 'shoal.sock');
    control = new SingleNodeControl({ hostname: 'node-1' });
    app = createApiServer({
      control,
      build: { version: '0.1.0-test' },
      engine: { socketPath: engine.socketPath },
    });
    await listenApiServer(app, { socketPath: sock });
  });

  after(async () => {
    await app.close();
    await engine.close();
    await rm(dir, { recursive: true, force: true });
  });

  describe('outside a swarm', () => {
    it('lists, inspects, creates and removes local networks on the engine', async () => {
      const list = await call(sock, 'GET', '/v1.41/networks');
      assert.equal(list.status, 200);
      assert.deepEqual(
        networks(list.body).map((n) => [n.Name, n.Scope]),
        [
          ['bridge', 'local'],
          ['host', 'local'],
          ['none', 'local'],
        ],
      );
      const created = await call(sock, 'POST', '/v1.41/networks/create', {
        Name: 'localnet',
        Driver: 'bridge',
      });
      assert.equal(created.status, 201, created.body.toString());
      assert.ok(engine.networks.some((n) => n.Name === 'localnet'));
      // No driver and no swarm: Docker's default, a bridge on the engine.
      const plain = await call(sock, 'POST', '/networks/create', { Name: 'plain' });
      assert.equal(plain.status, 201, plain.body.toString());
      const inspected = await call(sock, 'GET', '/v1.41/networks/localnet');
      assert.equal(inspected.status, 200);
      assert.equal((JSON.parse(inspected.body.toString()) as NetworkView).Driver, 'bridge');
      assert.equal((await call(sock, 'DELETE', '/v1.41/networks/localnet')).status, 204);
      assert.equal((await call(sock, 'DELETE', '/v1.41/networks/plain')).status, 204);
      const gone = await call(sock, 'GET', '/v1.41/networks/localnet');
      assert.equal(gone.status, 404);
      assert.deepEqual(JSON.parse(gone.body.toString()), { message: 'network localnet not found' });
    });

    it('still refuses a swarm network create with the swarm message', async () => {
      const a = await call(sock, 'POST', '/v1.41/networks/create', { Name: 'ov', Driver: 'overlay' });
      assert.equal(a.status, 503);
    });
  });

  describe('in a swarm', () => {
    let swarmNetId: string;

    before(async () => {
      await control.init({ listenAddr: '0.0.0.0:2377', forceNewCluster: false });
      const created = await call(sock, 'POST', '/v1.41/networks/create', {
        Name: 'swarmnet',
        Driver: 'overlay',
      });
      assert.equal(created.status, 201, created.body.toString());
      swarmNetId = (JSON.parse(created.body.toString()) as { Id: string }).Id;
      // The agent's copy of the swarm network on the engine: listed once, as the swarm's.
      engine.networks.push({
        Name: 'swarmnet',
        Id: 'e'.repeat(64),
        Scope: 'local',
        Driver: 'shoal',
        Labels: { 'io.shoal.network.id': swarmNetId },
      });
    });

    it('lists local and swarm networks with their scope', async () => {
      const list = await call(sock, 'GET', '/v1.41/networks');
      assert.equal(list.status, 200);
      const seen = networks(list.body).map((n) => [n.Name, n.Scope]);
      assert.deepEqual(seen.slice(0, 3), [
        ['bridge', 'local'],
        ['host', 'local'],
        ['none', 'local'],
      ]);
      assert.ok(seen.some(([n, s]) => n === 'swarmnet' && s === 'swarm'));
      assert.equal(seen.filter(([n]) => n === 'swarmnet').length, 1, 'the engine copy is not listed twice');
    });

    it('finds either kind by name and sends local creates to the engine', async () => {
      const swarm = JSON.parse(
        (await call(sock, 'GET', '/networks/swarmnet')).body.toString(),
      ) as NetworkView;
      assert.equal(swarm.Scope, 'swarm');
      assert.equal(swarm.Id, swarmNetId);
      const local = JSON.parse((await call(sock, 'GET', '/networks/bridge')).body.toString()) as NetworkView;
      assert.equal(local.Scope, 'local');
      const byScope = await call(sock, 'POST', '/networks/create', { Name: 'mine', Driver: 'macvlan' });
      assert.equal(byScope.status, 201);
      assert.ok(engine.networks.some((n) => n.Name === 'mine'));
      assert.equal((await call(sock, 'DELETE', '/networks/mine')).status, 204);
      assert.ok(!engine.networks.some((n) => n.Name === 'mine'));
    });

    it('a create with no driver is a local bridge on the engine, as dockerd makes it in a swarm', async () => {
      const plain = await call(sock, 'POST', '/networks/create', { Name: 'nodriver' });
      assert.equal(plain.status, 201, plain.body.toString());
      const onEngine = engine.networks.find((n) => n.Name === 'nodriver');
      assert.equal(onEngine?.Driver, 'bridge');
      assert.equal(
        control.store().view((tx) => tx.list('networks').some((n) => n.spec.name === 'nodriver')),
        false,
      );
      const inspected = JSON.parse(
        (await call(sock, 'GET', '/networks/nodriver')).body.toString(),
      ) as NetworkView;
      assert.equal(inspected.Scope, 'local');
      assert.equal((await call(sock, 'DELETE', '/networks/nodriver')).status, 204);
      // `--scope swarm` without a driver and `-d overlay` stay the swarm's.
      const scoped = await call(sock, 'POST', '/networks/create', { Name: 'scoped', Scope: 'swarm' });
      assert.equal(scoped.status, 201, scoped.body.toString());
      const overlay = await call(sock, 'POST', '/networks/create', { Name: 'ov2', Driver: 'overlay' });
      assert.equal(overlay.status, 201, overlay.body.toString());
      for (const name of ['scoped', 'ov2']) {
        assert.ok(!engine.networks.some((n) => n.Name === name), name);
        const got = JSON.parse((await call(sock, 'GET', `/networks/${name}`)).body.toString()) as NetworkView;
        assert.equal(got.Scope, 'swarm', name);
        assert.equal(got.Driver, 'overlay', name);
        assert.equal((await call(sock, 'DELETE', `/networks/${name}`)).status, 204);
      }
    });

    it('/info: the engine containers, images and storage with the Swarm section', async () => {
      const info = JSON.parse((await call(sock, 'GET', '/v1.41/info')).body.toString()) as Record<
        string,
        unknown
      >;
      assert.equal(info.Containers, 3);
      assert.equal(info.ContainersRunning, 1);
      assert.equal(info.ContainersPaused, 1);
      assert.equal(info.ContainersStopped, 1);
      assert.equal(info.Images, 7);
      assert.equal(info.Driver, 'overlay2');
      assert.equal(info.DockerRootDir, '/var/lib/docker');
      assert.equal(info.KernelVersion, '6.1.0-fake');
      assert.deepEqual(info.Runtimes, { runc: { path: 'runc' }, crun: { path: '/usr/bin/crun' } });
      assert.equal(info.ServerVersion, '0.1.0-test');
      const swarm = info.Swarm as Record<string, unknown>;
      assert.equal(swarm.LocalNodeState, 'active');
      assert.equal(swarm.ControlAvailable, true);
    });

    it('/version: shoal and the engine components', async () => {
      const v = JSON.parse((await call(sock, 'GET', '/version')).body.toString()) as {
        Version: string;
        Components: { Name: string; Version: string }[];
      };
      assert.equal(v.Version, '0.1.0-test');
      assert.deepEqual(
        v.Components.map((c) => [c.Name, c.Version]),
        [
          ['Engine', '0.1.0-test'],
          ['Docker Engine', '28.3.0'],
          ['containerd', '1.7.27'],
        ],
      );
    });

    it('/events: engine events and cluster events in one stream, filters passed on', async () => {
      const filters = JSON.stringify({ type: ['container', 'network'] });
      const res = await open(sock, 'GET', `/v1.41/events?filters=${encodeURIComponent(filters)}`);
      assert.equal(res.statusCode, 200);
      while (!engine.seen.some((r) => r.url.startsWith('/events')))
        await new Promise((r) => setTimeout(r, 5));
      const asked = engine.seen.find((r) => r.url.startsWith('/events'));
      assert.equal(asked?.url, `/events?filters=${encodeURIComponent(filters)}`);
      engine.event({
        Type: 'container',
        Action: 'start',
        Actor: { ID: 'abc', Attributes: {} },
        scope: 'local',
      });
      await call(sock, 'POST', '/networks/create', { Name: 'evnet', Driver: 'overlay' });
      const text = await new Promise<string>((resolve) => {
        let got = '';
        res.on('data', (c: Buffer) => {
          got += c.toString();
          if (got.includes('"start"') && got.includes('evnet')) resolve(got);
        });
      });
      assert.match(text, /"Type":"container","Action":"start"/);
      assert.match(text, /"scope":"swarm"/);
      res.destroy();
    });
  });
});
