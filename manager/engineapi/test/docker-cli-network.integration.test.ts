// `docker network create|ls|inspect|rm` with the unmodified docker CLI against shoal's API on a
// unix socket, with a real single-manager SwarmControl and the allocator loop on its store.

import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { AllocatorLoop } from '../../allocator/allocator-loop.js';
import { ensureIngressNetwork } from '../../allocator/ingress.js';
import { ManualClock } from '../../../api/clock/manual-clock.js';
import { createApiServer, listenApiServer } from '../server.js';
import { runDocker, type DockerRun } from './docker-cli-run.js';
import { SingleNodeControl } from './single-node-control.js';

let dir = '';
let socket = '';
let app: FastifyInstance;
const requests: string[] = [];
const abort = new AbortController();
let allocator: Promise<void> = Promise.resolve();

const docker = (...args: string[]): Promise<DockerRun> => runDocker(socket, dir, args);

async function ok(...args: string[]): Promise<string> {
  const r = await docker(...args);
  assert.equal(r.code, 0, `docker ${args.join(' ')} failed: ${r.stderr}`);
  return r.stdout;
}

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'shoal-cli-net-'));
  socket = join(dir, 'shoal.sock');
  const control = new SingleNodeControl({ hostname: 'node-1' });
  app = createApiServer({ control, build: { version: '0.1.0' } });
  app.addHook('onRequest', (request, _reply, done) => {
    requests.push(`${request.method} ${request.originalUrl}`);
    done();
  });
  await listenApiServer(app, { socketPath: socket });
  await control.init({ listenAddr: '0.0.0.0:2377', forceNewCluster: false });
  await control.store().update((tx) => void ensureIngressNetwork(tx));
  allocator = new AllocatorLoop({ store: control.store(), clock: new ManualClock() }).run(abort.signal);
});

after(async () => {
  abort.abort();
  await allocator;
  await app.close();
  rmSync(dir, { recursive: true, force: true });
});

test('docker network create, ls, inspect, rm', async () => {
  const id = (await ok('network', 'create', '-d', 'overlay', 'overnet')).trim();
  assert.match(id, /^[0-9a-z]{25}$/);
  assert.ok(requests.includes('POST /v1.41/networks/create'));
  await ok(
    'network',
    'create',
    '--driver',
    'overlay',
    '--subnet',
    '10.10.0.0/16',
    '--gateway',
    '10.10.0.254',
    '--ip-range',
    '10.10.1.0/24',
    '--attachable',
    '--internal',
    '--label',
    'tier=db',
    'backend',
  );

  const ls = (await ok('network', 'ls')).split('\n');
  assert.match(ls[0] ?? '', /^NETWORK ID\s+NAME\s+DRIVER\s+SCOPE$/);
  const rows = ls.slice(1).filter((l) => l !== '');
  assert.equal(rows.length, 3);
  assert.ok(
    rows.some((r) => new RegExp(`^${id.slice(0, 12)}\\s+overnet\\s+overlay\\s+swarm$`).test(r)),
    rows.join('\n'),
  );
  assert.ok(rows.some((r) => /\s+ingress\s+overlay\s+swarm$/.test(r)));
  assert.equal((await ok('network', 'ls', '-q', '--filter', 'label=tier=db')).trim().length, 12);

  const [inspected] = JSON.parse(await ok('network', 'inspect', 'overnet')) as {
    Id: string;
    Scope: string;
    Driver: string;
    IPAM: { Config: unknown };
    Options: Record<string, string>;
  }[];
  assert.equal(inspected?.Id, id);
  assert.equal(inspected?.Scope, 'swarm');
  assert.equal(inspected?.Driver, 'overlay');
  assert.deepEqual(inspected?.IPAM.Config, [{ Subnet: '10.0.1.0/24', Gateway: '10.0.1.1' }]);
  assert.equal(inspected?.Options['com.docker.network.driver.overlay.vxlanid_list'], '4097');
  const [backend] = JSON.parse(await ok('network', 'inspect', 'backend')) as {
    IPAM: { Config: unknown };
    Internal: boolean;
    Attachable: boolean;
    Labels: unknown;
  }[];
  assert.deepEqual(backend?.IPAM.Config, [
    { Subnet: '10.10.0.0/16', IPRange: '10.10.1.0/24', Gateway: '10.10.0.254' },
  ]);
  assert.equal(backend?.Internal, true);
  assert.equal(backend?.Attachable, true);
  assert.deepEqual(backend?.Labels, { tier: 'db' });
  assert.equal(
    (await ok('network', 'inspect', '--format', '{{.Name}} {{.Scope}}', 'overnet')).trim(),
    'overnet swarm',
  );

  const missing = await docker('network', 'inspect', 'nope');
  assert.equal(missing.code, 1);
  assert.match(missing.stderr, /Error: No such network: nope/);

  assert.equal((await ok('network', 'rm', 'backend')).trim(), 'backend');
  const gone = await docker('network', 'rm', 'backend');
  assert.equal(gone.code, 1);
  assert.match(gone.stderr, /No such network: backend/);
});

test("docker shows shoal's refusals as dockerd's", async () => {
  const encrypted = await docker('network', 'create', '-d', 'overlay', '--opt', 'encrypted', 'secret');
  assert.equal(encrypted.code, 1);
  assert.match(
    encrypted.stderr,
    /Error response from daemon: encrypted overlay networks are not supported yet/,
  );

  await ok('network', 'create', '-d', 'overlay', '--subnet', '172.30.0.0/16', 'first');
  const overlap = await docker('network', 'create', '-d', 'overlay', '--subnet', '172.30.8.0/24', 'second');
  assert.equal(overlap.code, 1);
  assert.match(
    overlap.stderr,
    /Error response from daemon: Pool overlaps with other one on this address space/,
  );

  const dup = await docker('network', 'create', '-d', 'overlay', 'first');
  assert.equal(dup.code, 1);
  assert.match(dup.stderr, /Error response from daemon: network with name first already exists/);

  const svc = (
    await ok(
      'service',
      'create',
      '--name',
      'web',
      '--network',
      'first',
      '--detach',
      'shoal/busybox',
      'sleep',
      '1000',
    )
  ).trim();
  const firstId = (await ok('network', 'inspect', '-f', '{{.Id}}', 'first')).trim();
  const inUse = await docker('network', 'rm', 'first');
  assert.equal(inUse.code, 1);
  assert.match(
    inUse.stderr,
    new RegExp(`rpc error: code = FailedPrecondition desc = network ${firstId} is in use by service ${svc}`),
  );
  const [service] = JSON.parse(await ok('service', 'inspect', 'web')) as {
    Spec: { TaskTemplate: { Networks: { Target: string }[] } };
    Endpoint: { VirtualIPs: { NetworkID: string; Addr: string }[] };
  }[];
  assert.deepEqual(service?.Spec.TaskTemplate.Networks, [{ Target: firstId }]);
  assert.deepEqual(service?.Endpoint.VirtualIPs, [{ NetworkID: firstId, Addr: '172.30.0.2/16' }]);
  await ok('service', 'rm', 'web');
  assert.equal((await ok('network', 'rm', 'first')).trim(), 'first');
});
