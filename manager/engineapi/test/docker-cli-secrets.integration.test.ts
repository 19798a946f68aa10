// `docker secret|config create|ls|inspect|rm` and `docker stack rm` with the unmodified docker
// CLI against shoal's API on a unix socket, with a real single-manager SwarmControl.

import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { createApiServer, listenApiServer } from '../server.js';
import { findDocker, runDocker, type DockerRun } from './docker-cli-run.js';
import { SingleNodeControl } from './single-node-control.js';

let dir = '';
let socket = '';
let app: FastifyInstance;
const requests: string[] = [];
const dockerBin = findDocker();

const docker = (args: string[], input?: string): Promise<DockerRun> =>
  runDocker(socket, dir, args, dockerBin, input);

async function ok(args: string[], input?: string): Promise<string> {
  const r = await docker(args, input);
  assert.equal(r.code, 0, `docker ${args.join(' ')} failed: ${r.stderr}`);
  return r.stdout;
}

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'shoal-cli-secrets-'));
  socket = join(dir, 'shoal.sock');
  const control = new SingleNodeControl({ hostname: 'node-1' });
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

test('docker secret create (stdin and file), ls, inspect without data, rm', async () => {
  const id = (await ok(['secret', 'create', '--label', 'team=db', 's1', '-'], 'p4ssw0rd-value')).trim();
  assert.match(id, /^[0-9a-z]{25}$/);
  assert.ok(requests.includes('POST /v1.41/secrets/create'));
  const file = join(dir, 'key.txt');
  writeFileSync(file, 'file-secret-value');
  await ok(['secret', 'create', 's2', file]);

  const ls = await ok(['secret', 'ls', '--format', '{{.Name}} {{.ID}}']);
  assert.deepEqual(
    ls
      .trim()
      .split('\n')
      .map((l) => l.split(' ')[0])
      .sort(),
    ['s1', 's2'],
  );
  const filtered = await ok(['secret', 'ls', '--filter', 'label=team=db', '-q']);
  assert.equal(filtered.trim(), id);

  const inspect = await ok(['secret', 'inspect', 's1']);
  assert.doesNotMatch(inspect, /p4ssw0rd/);
  assert.doesNotMatch(inspect, new RegExp(Buffer.from('p4ssw0rd-value').toString('base64')));
  const [s] = JSON.parse(inspect) as [{ ID: string; Spec: { Name: string; Labels: Record<string, string> } }];
  assert.equal(s.ID, id);
  assert.deepEqual(s.Spec, { Name: 's1', Labels: { team: 'db' } });
  assert.equal((await ok(['secret', 'inspect', '--format', '{{.Spec.Name}}', id.slice(0, 6)])).trim(), 's1');

  const dup = await docker(['secret', 'create', 's1', '-'], 'x');
  assert.notEqual(dup.code, 0);
  assert.match(dup.stderr, /secret s1 already exists/);
  const bad = await docker(['secret', 'create', 'bad name', '-'], 'x');
  assert.notEqual(bad.code, 0);
  assert.match(bad.stderr, /invalid name, only 64 \[a-zA-Z0-9-_.\] characters allowed/);

  assert.equal((await ok(['secret', 'rm', 's1', 's2'])).trim(), 's1\ns2');
  assert.equal((await ok(['secret', 'ls', '-q'])).trim(), '');
  const gone = await docker(['secret', 'inspect', 's1']);
  assert.notEqual(gone.code, 0);
  assert.match(gone.stderr, /secret s1 not found|No such secret: s1/);
});

test('docker config create, inspect shows the data, ls, rm', async () => {
  const id = (await ok(['config', 'create', 'app.conf', '-'], 'port=8080\n')).trim();
  assert.match(id, /^[0-9a-z]{25}$/);
  const [c] = JSON.parse(await ok(['config', 'inspect', 'app.conf'])) as [{ Spec: { Data: string } }];
  assert.equal(Buffer.from(c.Spec.Data, 'base64').toString(), 'port=8080\n');
  const pretty = await ok(['config', 'inspect', '--pretty', 'app.conf']);
  assert.match(pretty, /port=8080/);
  assert.equal((await ok(['config', 'ls', '--format', '{{.Name}}'])).trim(), 'app.conf');
  assert.equal((await ok(['config', 'rm', 'app.conf'])).trim(), 'app.conf');
});

test('docker stack rm of a stack with nothing in it lists secrets and configs and succeeds', async () => {
  const r = await docker(['stack', 'rm', 'nothing']);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout + r.stderr, /Nothing found in stack: nothing/);
  assert.ok(requests.some((q) => q.startsWith('GET /v1.41/secrets?filters=')));
  assert.ok(requests.some((q) => q.startsWith('GET /v1.41/configs?filters=')));
});

test('docker stack deploy with secrets and configs, redeploy unchanged, then stack rm removes them', async () => {
  writeFileSync(join(dir, 'db.txt'), 'stack-secret');
  writeFileSync(join(dir, 'app.conf'), 'stack-config');
  const compose = join(dir, 'compose.yml');
  writeFileSync(
    compose,
    [
      'version: "3.8"',
      'services:',
      '  web:',
      '    image: nginx:1.25',
      '    secrets: [db]',
      '    configs:',
      '      - source: app',
      '        target: /etc/app.conf',
      'secrets:',
      '  db:',
      `    file: ${join(dir, 'db.txt')}`,
      'configs:',
      '  app:',
      `    file: ${join(dir, 'app.conf')}`,
      '',
    ].join('\n'),
  );
  const deploy = ['stack', 'deploy', '--resolve-image', 'never', '-c', compose, 'st'];
  await ok(deploy);
  assert.equal((await ok(['secret', 'ls', '--format', '{{.Name}}'])).trim(), 'st_db');
  assert.equal((await ok(['config', 'ls', '--format', '{{.Name}}'])).trim(), 'st_app');
  const [svc] = JSON.parse(await ok(['service', 'inspect', 'st_web'])) as [
    {
      Spec: {
        TaskTemplate: { ContainerSpec: { Secrets: { SecretName: string; File: { Name: string } }[] } };
      };
    },
  ];
  assert.deepEqual(
    svc.Spec.TaskTemplate.ContainerSpec.Secrets.map((s) => [s.SecretName, s.File.Name]),
    [['st_db', 'db']],
  );
  // The same files again: the CLI updates each secret and config with the same data.
  await ok(deploy);
  const rm = await ok(['stack', 'rm', 'st']);
  assert.match(rm, /Removing service st_web/);
  assert.match(rm, /Removing secret st_db/);
  assert.match(rm, /Removing config st_app/);
  assert.equal((await ok(['secret', 'ls', '-q'])).trim(), '');
  assert.equal((await ok(['config', 'ls', '-q'])).trim(), '');
});
