// `shoal stack deploy|ls|services|ps|rm` run in-process against the real API server (a
// single-manager SwarmControl on a temp unix socket with the allocator loop), then the
// unmodified docker CLI seeing and removing the same stack.

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { AllocatorLoop } from '../../manager/allocator/allocator-loop.js';
import { ensureIngressNetwork } from '../../manager/allocator/ingress.js';
import { createApiServer, listenApiServer } from '../../manager/engineapi/server.js';
import { findDocker, runDocker } from '../../manager/engineapi/test/docker-cli-run.js';
import { SingleNodeControl } from '../../manager/engineapi/test/single-node-control.js';
import { ManualClock } from '../../api/clock/manual-clock.js';
import { systemClock } from '../commands/context.js';
import { runCli } from '../program.js';

let dir = '';
let socket = '';
let app: FastifyInstance;
const abort = new AbortController();
let allocator: Promise<void> = Promise.resolve();
const requests: string[] = [];

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

async function shoal(env: Record<string, string>, ...args: string[]): Promise<Run> {
  let stdout = '';
  let stderr = '';
  const code = await runCli(['-H', `unix://${socket}`, ...args], {
    io: { out: (s) => (stdout += s), err: (s) => (stderr += s), stdoutIsTTY: false, columns: 80 },
    env,
    clock: systemClock,
    interrupt: new AbortController().signal,
    version: '0.1.0-test',
  });
  return { code, stdout, stderr };
}

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'shoal-stack-cli-'));
  socket = join(dir, 'shoal.sock');
  const control = new SingleNodeControl({ hostname: 'node-1' });
  app = createApiServer({ control, build: { version: '0.1.0' } });
  app.addHook('onRequest', (request, _reply, done) => {
    requests.push(`${request.method} ${request.url.split('?')[0] ?? ''}`);
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

const COMPOSE = `
services:
  web:
    image: nginx:\${TAG}
    ports: ["8080:80"]
    secrets: [db]
    deploy:
      replicas: 2
  worker:
    image: busybox
    command: sleep 1000
    environment: ["MODE=\${MODE:-fast}"]
secrets:
  db:
    file: ./db.txt
`;

test('stack deploy creates, redeploy updates only the changed service, the docker CLI sees the stack', async () => {
  writeFileSync(join(dir, 'compose.yml'), COMPOSE);
  writeFileSync(join(dir, '.env'), 'TAG=1.25\n');
  writeFileSync(join(dir, 'db.txt'), 's3cret');
  const file = join(dir, 'compose.yml');

  const first = await shoal({}, 'stack', 'deploy', '-c', file, 'app');
  assert.equal(first.code, 0, first.stderr);
  assert.equal(
    first.stdout,
    'Creating network app_default\nCreating secret app_db\nCreating service app_web\nCreating service app_worker\n',
  );

  // Nothing changed: no service is written (the secret's no-op update is how the daemon
  // compares a secret's data, which it never returns).
  requests.length = 0;
  const same = await shoal({}, 'stack', 'deploy', '-c', file, 'app');
  assert.equal(same.code, 0, same.stderr);
  assert.equal(same.stdout, '');
  assert.ok(!requests.some((r) => r.startsWith('POST') && r.includes('/services')), requests.join('\n'));

  // One variable changes one service: only that one is updated.
  requests.length = 0;
  const changed = await shoal({ MODE: 'slow' }, 'stack', 'deploy', '-c', file, 'app');
  assert.equal(changed.code, 0, changed.stderr);
  assert.match(changed.stdout, /^Updating service app_worker \(id: [0-9a-z]+\)\n$/);
  assert.equal(requests.filter((r) => r.includes('/services/') && r.endsWith('/update')).length, 1);

  // A changed secret is refused: secrets are immutable.
  writeFileSync(join(dir, 'db.txt'), 'other');
  const immutable = await shoal({ MODE: 'slow' }, 'stack', 'deploy', '-c', file, 'app');
  assert.notEqual(immutable.code, 0);
  assert.match(immutable.stderr, /secrets are immutable: give the secret a new name/);
  writeFileSync(join(dir, 'db.txt'), 's3cret');

  const ls = await shoal({}, 'stack', 'ls');
  assert.equal(ls.stdout, 'NAME      SERVICES\napp       2\n');
  const services = await shoal({}, 'stack', 'services', 'app');
  assert.match(services.stdout, /app_web +replicated +0\/2 +nginx:1\.25 +\*:8080->80\/tcp/);

  // --prune removes the service the file no longer names.
  const pruned = join(dir, 'pruned.yml');
  writeFileSync(
    pruned,
    'services:\n  web:\n    image: nginx:${TAG}\n    ports: ["8080:80"]\n    secrets: [db]\n    deploy:\n      replicas: 2\nsecrets:\n  db:\n    file: ./db.txt\n',
  );
  const p = await shoal({}, 'stack', 'deploy', '--prune', '-c', pruned, 'app');
  assert.equal(p.code, 0, p.stderr);
  assert.equal(p.stdout, 'Removing service app_worker\n');

  // A schema error points at the file and line.
  const bad = join(dir, 'bad.yml');
  writeFileSync(bad, 'services:\n  web:\n    image: x\n    deploy:\n      replicas: two\n');
  const b = await shoal({}, 'stack', 'deploy', '-c', bad, 'app');
  assert.equal(b.code, 1);
  assert.match(b.stderr, /bad\.yml:5: services\.web\.deploy\.replicas must be integer/);

  let dockerBin: string;
  try {
    dockerBin = findDocker();
  } catch {
    // no docker CLI here: the shoal half above still ran
    assert.equal((await shoal({}, 'stack', 'rm', 'app')).code, 0);
    return;
  }
  const docker = (args: string[]) => runDocker(socket, dir, args, dockerBin);
  const dls = await docker(['stack', 'ls']);
  assert.equal(dls.code, 0, dls.stderr);
  assert.match(dls.stdout, /^app\s+1\b/m);
  const dsvc = await docker(['stack', 'services', '--format', '{{.Name}}', 'app']);
  assert.equal(dsvc.stdout.trim(), 'app_web');
  const drm = await docker(['stack', 'rm', 'app']);
  assert.equal(drm.code, 0, drm.stderr);
  assert.match(drm.stdout, /Removing service app_web/);
  assert.match(drm.stdout, /Removing secret app_db/);
  assert.match(drm.stdout, /Removing network app_default/);
  const gone = await shoal({}, 'stack', 'ls');
  assert.equal(gone.stdout, 'NAME      SERVICES\n');
});

test('shoal stack rm removes what the docker CLI would', async () => {
  writeFileSync(join(dir, 'db.txt'), 's3cret');
  const file = join(dir, 'compose.yml');
  const d = await shoal({ TAG: '1' }, 'stack', 'deploy', '-c', file, 'two');
  assert.equal(d.code, 0, d.stderr);
  const rm = await shoal({}, 'stack', 'rm', 'two');
  assert.equal(rm.code, 0, rm.stderr);
  assert.equal(
    rm.stdout,
    'Removing service two_web\nRemoving service two_worker\nRemoving secret two_db\nRemoving network two_default\n',
  );
  const again = await shoal({}, 'stack', 'rm', 'two');
  assert.equal(again.stderr, 'Nothing found in stack: two\n');
});
