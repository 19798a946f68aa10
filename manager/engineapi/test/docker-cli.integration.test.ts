// The yardstick: the unmodified docker CLI (Debian's docker.io) against shoal's API on a unix
// socket, with a real single-manager SwarmControl. No agents run, so the test puts tasks in
// the store the way the orchestrator and agents would, and appends the log lines an agent
// would report.

import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { accessSync, constants, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { after, before, test } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { createApiServer, listenApiServer } from '../server.js';
import { seedTasks } from './harness.js';
import { SingleNodeControl } from './single-node-control.js';

function findDocker(): string {
  const candidates = [
    '/usr/bin/docker',
    ...(process.env['PATH'] ?? '').split(delimiter).map((d) => join(d, 'docker')),
  ];
  for (const c of candidates) {
    try {
      accessSync(c, constants.X_OK);
      return c;
    } catch {
      // try the next one
    }
  }
  throw new Error('the docker CLI is needed for this test: apt-get install docker.io');
}

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

let dir = '';
let socket = '';
let app: FastifyInstance;
let control: SingleNodeControl;
const requests: string[] = [];
const dockerBin = findDocker();

function docker(...args: string[]): Promise<Run> {
  return new Promise((resolve) => {
    execFile(
      dockerBin,
      ['-H', `unix://${socket}`, ...args],
      {
        env: { PATH: process.env['PATH'] ?? '', HOME: dir, DOCKER_CONFIG: join(dir, '.docker') },
        timeout: 20_000,
      },
      (error, stdout, stderr) => {
        const code = error === null ? 0 : typeof error.code === 'number' ? error.code : 1;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

async function ok(...args: string[]): Promise<string> {
  const r = await docker(...args);
  assert.equal(r.code, 0, `docker ${args.join(' ')} failed: ${r.stderr}`);
  return r.stdout;
}

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'shoal-cli-'));
  socket = join(dir, 'shoal.sock');
  control = new SingleNodeControl({ hostname: 'node-1' });
  app = createApiServer({ control, build: { version: '0.1.0' } });
  app.addHook('onRequest', (request, _reply, done) => {
    requests.push(`${request.method} ${request.originalUrl}`);
    done();
  });
  await listenApiServer(app, { socketPath: socket });
  await control.init({ listenAddr: '0.0.0.0:2377', forceNewCluster: false });
});

after(async () => {
  await app.close();
  rmSync(dir, { recursive: true, force: true });
});

test('docker version and info', async () => {
  const version = await ok('version');
  assert.match(version, /Server: shoal/);
  assert.match(version, /API version:\s+1\.41 \(minimum version 1\.12\)/);
  assert.ok(requests.includes('HEAD /_ping'), 'the CLI negotiates from /_ping');
  assert.ok(requests.includes('GET /v1.41/version'));
  const info = await ok('info');
  assert.match(info, /Swarm: active/);
  assert.match(info, /Is Manager: true/);
  assert.match(info, new RegExp(`NodeID: ${control.nodeId()}`));
  assert.match(info, /Managers: 1\n\s+Nodes: 1/);
});

test('docker node ls shows this node as the leader', async () => {
  const out = await ok('node', 'ls');
  const row = out.split('\n')[1] ?? '';
  assert.match(
    row,
    new RegExp(`^${control.nodeId()} \\*\\s+node-1\\s+Ready\\s+Active\\s+Leader\\s+20\\.10\\.24`),
  );
});

test('docker service create, ls, inspect, scale, update, ps, logs, rm', async () => {
  const created = await docker(
    'service',
    'create',
    '--name',
    'web',
    '--replicas',
    '2',
    '--detach',
    'shoal/busybox',
    'sleep',
    '1000',
  );
  assert.equal(created.code, 0, created.stderr);
  const id = created.stdout.trim();
  assert.match(id, /^[0-9a-z]{25}$/);
  assert.ok(requests.includes('POST /v1.41/services/create'));

  const store = control.store();
  const tasks = await seedTasks(store, id, 2, 'running', control.nodeId());

  const ls = await ok('service', 'ls');
  assert.match(
    ls.split('\n')[1] ?? '',
    new RegExp(`^${id.slice(0, 12)}\\s+web\\s+replicated\\s+2/2\\s+shoal/busybox:latest`),
  );
  assert.ok(requests.includes('GET /v1.41/services?status=true'));

  const inspected = JSON.parse(await ok('service', 'inspect', 'web')) as {
    ID: string;
    Spec: { Name: string; Mode: unknown };
  }[];
  assert.equal(inspected[0]?.ID, id);
  assert.deepEqual(inspected[0]?.Spec.Mode, { Replicated: { Replicas: 2 } });

  const pretty = await ok('service', 'inspect', '--pretty', 'web');
  assert.match(pretty, /Name:\s+web/);
  assert.match(pretty, /Replicas:\s+2/);
  assert.match(pretty, /Image:\s+shoal\/busybox:latest/);
  assert.match(pretty, /Args:\s+sleep 1000/);

  assert.match(await ok('service', 'scale', 'web=3', '--detach'), /web scaled to 3/);
  await ok('service', 'update', '--env-add', 'A=1', '--detach', 'web');
  const updated = JSON.parse(await ok('service', 'inspect', 'web')) as {
    Spec: { Mode: unknown; TaskTemplate: { ContainerSpec: { Env?: string[] } } };
    PreviousSpec: { Mode: unknown };
  }[];
  assert.deepEqual(updated[0]?.Spec.Mode, { Replicated: { Replicas: 3 } });
  assert.deepEqual(updated[0]?.Spec.TaskTemplate.ContainerSpec.Env, ['A=1']);
  assert.deepEqual(updated[0]?.PreviousSpec.Mode, { Replicated: { Replicas: 3 } });

  const ps = (await ok('service', 'ps', 'web')).split('\n');
  assert.match(ps[0] ?? '', /^ID\s+NAME\s+IMAGE\s+NODE\s+DESIRED STATE\s+CURRENT STATE\s+ERROR\s+PORTS/);
  assert.match(
    ps[1] ?? '',
    new RegExp(
      `^${tasks[0]!.id.slice(0, 12)}\\s+web\\.1\\s+shoal/busybox:latest\\s+node-1\\s+Running\\s+Running`,
    ),
  );
  assert.match(ps[2] ?? '', /web\.2/);

  for (const [i, t] of tasks.entries()) {
    control.appendLog({
      taskId: t.id,
      stream: i === 0 ? 'stdout' : 'stderr',
      line: Buffer.from(`hello from ${i + 1}\n`),
      timestamp: '2024-01-01T00:00:00.000000000Z',
      nodeId: control.nodeId()!,
      serviceId: id,
    });
  }
  const logs = await docker('service', 'logs', 'web');
  assert.equal(logs.code, 0, logs.stderr);
  assert.match(logs.stdout, new RegExp(`web\\.1\\.${tasks[0]!.id.slice(0, 12)}@node-1\\s+\\| hello from 1`));
  assert.match(logs.stderr, new RegExp(`web\\.2\\.${tasks[1]!.id.slice(0, 12)}@node-1\\s+\\| hello from 2`));

  assert.equal((await ok('service', 'rm', 'web')).trim(), 'web');
  assert.equal((await ok('service', 'ls', '-q')).trim(), '');
});

test("docker reports shoal's errors as dockerd's", async () => {
  const missing = await docker('service', 'inspect', 'nope');
  assert.equal(missing.code, 1);
  assert.match(missing.stderr, /no such service: nope/);
  await ok('service', 'create', '--name', 'dup', '--detach', '--no-resolve-image', 'shoal/busybox');
  const dup = await docker(
    'service',
    'create',
    '--name',
    'dup',
    '--detach',
    '--no-resolve-image',
    'shoal/busybox',
  );
  assert.equal(dup.code, 1);
  assert.match(
    dup.stderr,
    /Error response from daemon: rpc error: code = AlreadyExists desc = name conflicts with an existing object: service dup already exists/,
  );
  const leave = await docker('swarm', 'leave');
  assert.equal(leave.code, 1);
  assert.match(
    leave.stderr,
    /You are attempting to leave the swarm on a node that is participating as a manager/,
  );
});
