// A Docker SDK against shoal's API on a unix socket: the Docker SDK for Python (docker-py,
// Debian's python3-docker, installed by scripts/setup.sh) runs its swarm flows (swarm, networks,
// secrets, configs, services create/scale/update/remove, jobs, nodes) as it would against
// dockerd, with version negotiation (`version='auto'`).

import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { createApiServer, listenApiServer } from '../server.js';
import { SingleNodeControl } from './single-node-control.js';

let dir = '';
let socket = '';
let app: FastifyInstance;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'shoal-sdk-'));
  socket = join(dir, 'shoal.sock');
  const control = new SingleNodeControl({ hostname: 'node-1' });
  app = createApiServer({ control, build: { version: '0.1.0' } });
  await listenApiServer(app, { socketPath: socket });
  await control.init({ listenAddr: '0.0.0.0:2377', forceNewCluster: false });
});

after(async () => {
  await app.close();
  rmSync(dir, { recursive: true, force: true });
});

test('docker-py swarm flows: networks, secrets, configs, services, jobs, nodes, swarm update', async () => {
  // The script sits beside the test's source; dist/ holds only compiled TypeScript.
  const script = new URL('../../../../manager/engineapi/test/sdk/docker-py-flows.py', import.meta.url)
    .pathname;
  const { code, stdout, stderr } = await new Promise<{ code: number; stdout: string; stderr: string }>(
    (resolve) =>
      execFile('python3', [script, `unix://${socket}`], { timeout: 60_000 }, (err, out, errOut) =>
        resolve({
          code: err ? (typeof err.code === 'number' ? err.code : 1) : 0,
          stdout: out,
          stderr: errOut,
        }),
      ),
  );
  assert.equal(code, 0, `docker-py failed:\n${stderr}`);
  const o = JSON.parse(stdout.trim().split('\n').at(-1) ?? '{}') as Record<string, unknown>;
  assert.equal(o['swarm'], true);
  assert.equal(o['info_swarm'], 'active');
  assert.deepEqual(o['net'], ['overlay', 'swarm', true]);
  assert.deepEqual(o['created'], [
    'sdk-web',
    2,
    { team: 'x' },
    5_000_000_000,
    // docker-py sends Window: 0 itself; it reads back as given.
    { Condition: 'on-failure', Delay: 1_000_000_000, MaxAttempts: 3, Window: 0 },
    'db',
    8080,
  ]);
  assert.equal(o['scaled'], 4);
  assert.deepEqual(o['updated_env'], ['A=2']);
  assert.deepEqual(o['services'], ['sdk-web']);
  assert.deepEqual(o['filtered'], ['sdk-web']);
  assert.deepEqual(o['nodes'], ['manager']);
  assert.deepEqual(o['node_labels'], { zone: 'a' });
  assert.deepEqual(o['job'], ['ReplicatedJob']);
  assert.deepEqual(o['secrets'], ['sdk-secret']);
  assert.deepEqual(o['configs'], ['sdk-config']);
  assert.deepEqual(o['after'], [0, 0, 0, []]);
  assert.equal(o['tokens'], true);
});
