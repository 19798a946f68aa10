// Runs the compiled `shoal` binary against a Docker-API server on a temp unix socket that
// replays responses recorded from a real dockerd; expected outputs were produced by the real
// docker CLI against the same recordings (cli/test/golden).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { FixtureServer } from './support/fixture-server.js';
import { cluster, exchanges, golden, recordedAtMs } from './support/fixtures.js';
import { secretService } from './support/fixture-secret-service.js';

const BIN = fileURLToPath(new URL('../shoal.js', import.meta.url));
/** The replayed "now": chosen so every task age is seconds away from a display boundary. */
const REPLAY_NOW = recordedAtMs + 36_400;

let dir: string;
let server: FixtureServer;

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function shoal(args: string[], env: Record<string, string> = {}): Promise<Run> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [BIN, ...args],
      {
        env: { PATH: process.env['PATH'] ?? '', SHOAL_HOST: `unix://${server.socketPath}`, ...env },
        timeout: 10_000,
      },
      (error, stdout, stderr) => {
        const code = error === null ? 0 : typeof error.code === 'number' ? error.code : 1;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'shoal-cli-'));
  server = new FixtureServer(join(dir, 'api.sock'));
  server.shiftMs = Date.now() - REPLAY_NOW;
  await server.start();
});

after(async () => {
  await server.stop();
  await rm(dir, { recursive: true, force: true });
});

const nodeId = cluster.responses['/nodes'].body[0]?.ID ?? '';

const goldenCases: [string, string[], string][] = [
  ['node ls', ['node', 'ls'], 'node-ls.txt'],
  ['service ls', ['service', 'ls'], 'service-ls.txt'],
  [
    'service ps',
    ['service', 'ps', 'web', 'sleeper', 'failing', 'glob', 'job', 'hostport', 'quick', 'logger'],
    'service-ps.txt',
  ],
  ['service ps --no-trunc', ['service', 'ps', '--no-trunc', 'failing'], 'service-ps-no-trunc.txt'],
  [
    'service inspect --pretty',
    ['service', 'inspect', '--pretty', 'web', 'glob', 'hostport', 'quick'],
    'service-inspect-pretty.txt',
  ],
  ['node inspect --pretty', ['node', 'inspect', '--pretty', nodeId], 'node-inspect-pretty.txt'],
  ['node ps', ['node', 'ps', nodeId], 'node-ps.txt'],
  ['service logs', ['service', 'logs', 'logger'], 'service-logs.stdout.txt'],
];

for (const [name, args, file] of goldenCases) {
  test(`${name} prints what docker prints`, async () => {
    const r = await shoal(args);
    assert.equal(r.stderr, file === 'service-logs.stdout.txt' ? golden('service-logs.stderr.txt') : '');
    assert.equal(r.code, 0);
    assert.equal(r.stdout, golden(file));
  });
}

test('service inspect --pretty lists configs and secrets as docker does', async () => {
  // The fixture service is not in the recording; the server answers for it by name only.
  server.overrides.set('GET /services/vault', { status: 200, json: secretService });
  try {
    const r = await shoal(['service', 'inspect', '--pretty', 'vault']);
    assert.equal(r.stderr, '');
    assert.equal(r.code, 0);
    assert.equal(r.stdout, golden('service-inspect-pretty-secrets.txt'));
  } finally {
    server.overrides.delete('GET /services/vault');
  }
});

test('swarm join-token names shoal in the join command', async () => {
  const r = await shoal(['swarm', 'join-token', 'worker']);
  assert.equal(r.code, 0);
  assert.equal(
    r.stdout,
    golden('swarm-join-token-worker.txt').replace('    docker swarm join', '    shoal swarm join'),
  );
});

test('service create --detach sends the spec docker sends and prints the ID', async () => {
  const before = server.requests.length;
  const r = await shoal(['service', 'create', '-d', '--name', 'minimal', 'busybox']);
  assert.equal(r.code, 0, r.stderr);
  const created = exchanges['serviceCreateMinimal'];
  assert.deepEqual(r.stdout, `${(created?.body as { ID: string }).ID}\n`);
  const sent = server.requests.slice(before).find((q) => q.path === '/services/create');
  assert.deepEqual(sent?.body, created?.requestBody);
});

test('service scale waits for convergence and prints plain progress when not a TTY', async () => {
  const r = await shoal(['service', 'scale', 'quick=3']);
  assert.equal(r.code, 0, r.stderr);
  const lines = r.stdout.split('\n');
  assert.equal(lines[0], 'quick scaled to 3');
  // The recorded service had just been rolled back (UpdateStatus rollback_completed).
  assert.equal(lines[1], 'overall progress: rolling back update: 0 out of 3 tasks');
  assert.ok(lines.includes('overall progress: rolling back update: 3 out of 3 tasks'), r.stdout);
  assert.ok(lines.includes('verify: Waiting 1 seconds to verify that tasks are stable...'), r.stdout);
  assert.equal(lines.at(-3), 'verify: Service converged');
  assert.equal(lines.at(-2), 'rollback: rollback completed');
  const update = server.requests.find((q) => q.method === 'POST' && q.path.endsWith('/update'));
  assert.equal((update?.body as { Mode: { Replicated: { Replicas: number } } }).Mode.Replicated.Replicas, 3);
});

test('daemon errors print as docker prints them and exit 1', async () => {
  const r = await shoal(['service', 'rm', 'nosuch']);
  assert.equal(r.code, 1);
  assert.equal(r.stdout, '');
  assert.equal(r.stderr, 'Error response from daemon: service nosuch not found\n');
});

test('service ps of an unknown service says so', async () => {
  const r = await shoal(['service', 'ps', 'nosuch']);
  assert.equal(r.code, 1);
  assert.equal(r.stderr, 'no such service: nosuch\n');
});

test('an unreachable daemon is named in the error', async () => {
  const missing = join(dir, 'missing.sock');
  const r = await shoal(['node', 'ls'], { SHOAL_HOST: '', DOCKER_HOST: `unix://${missing}` });
  assert.equal(r.code, 1);
  assert.equal(
    r.stderr,
    `Cannot connect to the shoal daemon at unix://${missing}. Is the shoal daemon running?\n`,
  );
});

test('-H overrides SHOAL_HOST', async () => {
  const r = await shoal(['-H', `unix://${server.socketPath}`, 'node', 'ls', '-q'], {
    SHOAL_HOST: 'unix:///nonexistent.sock',
  });
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, `${nodeId}\n`);
});
