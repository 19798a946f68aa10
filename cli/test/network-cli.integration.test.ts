// `shoal network ...` run in-process against the real API server (a single-manager
// SwarmControl on a temp unix socket) with the allocator loop on its store.

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { AllocatorLoop } from '../../manager/allocator/allocator-loop.js';
import { ensureIngressNetwork } from '../../manager/allocator/ingress.js';
import { createApiServer, listenApiServer } from '../../manager/engineapi/server.js';
import { SingleNodeControl } from '../../manager/engineapi/test/single-node-control.js';
import { ManualClock } from '../../api/clock/manual-clock.js';
import { systemClock } from '../commands/context.js';
import { runCli } from '../program.js';

let dir = '';
let socket = '';
let app: FastifyInstance;
const abort = new AbortController();
let allocator: Promise<void> = Promise.resolve();

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

async function shoal(...args: string[]): Promise<Run> {
  let stdout = '';
  let stderr = '';
  const code = await runCli(['-H', `unix://${socket}`, ...args], {
    io: {
      out: (s) => (stdout += s),
      err: (s) => (stderr += s),
      stdoutIsTTY: false,
      columns: 80,
    },
    env: {},
    clock: systemClock,
    interrupt: new AbortController().signal,
    version: '0.1.0-test',
  });
  return { code, stdout, stderr };
}

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'shoal-net-cli-'));
  socket = join(dir, 'shoal.sock');
  const control = new SingleNodeControl({ hostname: 'node-1' });
  app = createApiServer({ control, build: { version: '0.1.0' } });
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

test('shoal network create, ls, inspect, rm', async () => {
  const created = await shoal(
    'network',
    'create',
    '-d',
    'overlay',
    '--subnet',
    '10.50.0.0/24',
    '--label',
    'a=b',
    'overnet',
  );
  assert.equal(created.code, 0, created.stderr);
  const id = created.stdout.trim();
  assert.match(id, /^[0-9a-z]{25}$/);

  const ls = await shoal('network', 'ls');
  assert.equal(ls.code, 0, ls.stderr);
  const lines = ls.stdout.split('\n');
  assert.equal(lines[0], 'NETWORK ID     NAME      DRIVER    SCOPE');
  assert.match(lines[1] ?? '', /^[0-9a-z]{12}   ingress   overlay   swarm$/);
  assert.equal(lines[2], `${id.slice(0, 12)}   overnet   overlay   swarm`);
  assert.equal((await shoal('network', 'ls', '-q', '-f', 'label=a=b')).stdout, `${id.slice(0, 12)}\n`);

  const inspect = await shoal('network', 'inspect', 'overnet');
  assert.equal(inspect.code, 0, inspect.stderr);
  assert.ok(inspect.stdout.startsWith('[\n    {\n        "Name": "overnet",'), inspect.stdout);
  const [n] = JSON.parse(inspect.stdout) as { Id: string; IPAM: { Config: unknown }; Labels: unknown }[];
  assert.equal(n?.Id, id);
  assert.deepEqual(n?.IPAM.Config, [{ Subnet: '10.50.0.0/24', Gateway: '10.50.0.1' }]);

  const missing = await shoal('network', 'inspect', 'overnet', 'nope');
  assert.equal(missing.code, 1);
  assert.equal(missing.stderr, 'Error: No such network: nope\n');
  assert.equal((JSON.parse(missing.stdout) as unknown[]).length, 1);

  const rm = await shoal('network', 'rm', 'overnet', 'nope');
  assert.equal(rm.code, 1);
  assert.equal(rm.stdout, 'overnet\n');
  assert.equal(rm.stderr, 'Error: No such network: nope\n');
  assert.equal((await shoal('network', 'rm', '-f', 'nope')).code, 0);
});

test("shoal network create reports the daemon's and the flags' errors", async () => {
  const encrypted = await shoal('network', 'create', '--opt', 'encrypted', 'sec');
  assert.equal(encrypted.code, 1);
  assert.equal(
    encrypted.stderr,
    'Error response from daemon: encrypted overlay networks are not supported yet\n',
  );
  const overlap = await shoal('network', 'create', '--subnet', '10.0.0.0/16', 'wide');
  assert.equal(
    overlap.stderr,
    'Error response from daemon: Pool overlaps with other one on this address space\n',
  );
  const flags = await shoal('network', 'create', '--gateway', '10.1.0.1', 'gw');
  assert.equal(flags.code, 1);
  assert.equal(flags.stderr, 'every ip-range or gateway must have a corresponding subnet\n');
});
