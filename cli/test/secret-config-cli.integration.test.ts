// `shoal secret|config …` and `service create|update --secret/--config` run in-process against
// the fixture server (cli/test/support): the tables and --pretty match what the docker CLI
// printed against the same server, and the requests match the ones the docker CLI sent.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { systemClock } from '../commands/context.js';
import { runCli } from '../program.js';
import { FixtureServer } from './support/fixture-server.js';
import { FIXTURE_DIR, golden, recordedAtMs } from './support/fixtures.js';

const REPLAY_NOW = recordedAtMs + 36_400;

interface Exchange {
  command: string;
  method: string;
  path: string;
  requestBody: unknown;
}
const exchanges = JSON.parse(
  readFileSync(join(FIXTURE_DIR, 'secret-config-exchanges.json'), 'utf8'),
) as Record<string, Exchange>;

let dir = '';
let server: FixtureServer;

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

async function shoal(args: string[], stdin = ''): Promise<Run> {
  let stdout = '';
  let stderr = '';
  const code = await runCli(['-H', `unix://${server.socketPath}`, ...args], {
    io: {
      out: (s) => (stdout += s),
      err: (s) => (stderr += s),
      stdoutIsTTY: false,
      columns: 80,
      readStdin: () => Promise.resolve(Buffer.from(stdin)),
    },
    env: {},
    clock: systemClock,
    interrupt: new AbortController().signal,
    version: '0.1.0-test',
  });
  return { code, stdout, stderr };
}

function lastRequest(
  method: string,
  pathPrefix: string,
): { path: string; query: URLSearchParams; body: unknown } {
  const found = server.requests.filter((r) => r.method === method && r.path.startsWith(pathPrefix)).at(-1);
  assert.ok(found !== undefined, `no ${method} ${pathPrefix}`);
  return found;
}

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'shoal-secret-cli-'));
  server = new FixtureServer(join(dir, 'api.sock'));
  await server.start();
});

after(async () => {
  await server.stop();
  await rm(dir, { recursive: true, force: true });
});

test('secret ls and config ls print what docker prints', async () => {
  server.shiftMs = Date.now() - REPLAY_NOW;
  try {
    for (const [kind, file] of [
      ['secret', 'secret-ls.txt'],
      ['config', 'config-ls.txt'],
    ] as const) {
      const r = await shoal([kind, 'ls']);
      assert.equal(r.stderr, '');
      assert.equal(r.code, 0);
      assert.equal(r.stdout, golden(file));
    }
  } finally {
    server.shiftMs = 0;
  }
});

test('secret ls -q and --filter send docker filters', async () => {
  const q = await shoal(['secret', 'ls', '-q', '-f', 'label=env=prod']);
  assert.equal(q.code, 0, q.stderr);
  assert.equal(q.stdout, 'q7ssbxw1wp3hp7a7y5k8rkj2d\n');
  assert.equal(lastRequest('GET', '/secrets').query.get('filters'), '{"label":{"env=prod":true}}');
});

test('inspect --pretty prints what docker prints (a config shows its data)', async () => {
  const s = await shoal(['secret', 'inspect', '--pretty', 'db_password', 'tls_key']);
  assert.equal(s.code, 0, s.stderr);
  assert.equal(s.stdout, golden('secret-inspect-pretty.txt'));
  const c = await shoal(['config', 'inspect', '--pretty', 'nginx_conf', 'app_settings']);
  assert.equal(c.code, 0, c.stderr);
  assert.equal(c.stdout, golden('config-inspect-pretty.txt'));
});

test('secret create sends what docker sends; inspect shows it without data; rm removes it', async () => {
  const file = join(dir, 'pw.txt');
  await writeFile(file, 'hunter2');
  const created = await shoal([
    'secret',
    'create',
    '-l',
    'a=b',
    '--template-driver',
    'golang',
    'newsec',
    file,
  ]);
  assert.equal(created.code, 0, created.stderr);
  const id = created.stdout.trim();
  assert.match(id, /^[0-9a-z]{25}$/);
  assert.deepEqual(lastRequest('POST', '/secrets/create').body, exchanges['secretCreate']?.requestBody);

  const inspect = await shoal(['secret', 'inspect', 'newsec', 'nope']);
  assert.equal(inspect.code, 1);
  assert.equal(inspect.stderr, 'Error response from daemon: secret nope not found\n');
  const [s] = JSON.parse(inspect.stdout) as { ID: string; Spec: Record<string, unknown> }[];
  assert.equal(s?.ID, id);
  assert.deepEqual(s?.Spec, { Name: 'newsec', Labels: { a: 'b' }, Templating: { Name: 'golang' } });
  assert.ok(inspect.stdout.startsWith(`[\n    {\n        "ID": "${id}",`), inspect.stdout);

  const removed = await shoal(['secret', 'rm', 'newsec', 'nope']);
  assert.equal(removed.code, 1);
  assert.equal(removed.stdout, 'newsec\n');
  assert.equal(removed.stderr, 'Error response from daemon: secret nope not found\n');
  assert.equal((await shoal(['secret', 'inspect', id])).code, 1);
});

test('config create reads standard input for "-"; inspect shows the data', async () => {
  const created = await shoal(['config', 'create', 'newconf', '-'], 'x=1\n');
  assert.equal(created.code, 0, created.stderr);
  assert.deepEqual(lastRequest('POST', '/configs/create').body, exchanges['configCreate']?.requestBody);
  const inspect = await shoal(['config', 'inspect', 'newconf']);
  const [c] = JSON.parse(inspect.stdout) as { Spec: { Data: string } }[];
  assert.equal(Buffer.from(c?.Spec.Data ?? '', 'base64').toString(), 'x=1\n');
  assert.equal((await shoal(['config', 'rm', created.stdout.trim()])).code, 0);
  assert.equal((await shoal(['config', 'ls', '-q', '-f', 'name=newconf'])).stdout, '');
});

test('empty, oversized and missing input is refused before anything is sent', async () => {
  const before = server.requests.length;
  const empty = await shoal(['secret', 'create', 'e', '-'], '');
  assert.equal(empty.code, 1);
  assert.equal(empty.stderr, 'error reading from STDIN: data is empty\n');
  const big = join(dir, 'big');
  await writeFile(big, Buffer.alloc(500 * 1024, 'a'));
  const large = await shoal(['secret', 'create', 'big', big]);
  assert.equal(large.code, 1);
  assert.equal(
    large.stderr,
    `error reading from ${big}: secret data must be less than 500 KiB (512000 bytes), got 512000 bytes\n`,
  );
  const missing = await shoal(['config', 'create', 'm', join(dir, 'nofile')]);
  assert.equal(missing.stderr, `open ${join(dir, 'nofile')}: no such file or directory\n`);
  const driverAndFile = await shoal(['secret', 'create', '-d', 'vault', 'v', big]);
  assert.equal(driverAndFile.stderr, 'When using secret driver secret data must be empty\n');
  assert.equal(server.requests.length, before);
  // A config may be larger than a secret.
  const conf = await shoal(['config', 'create', 'bigconf', big]);
  assert.equal(conf.code, 0, conf.stderr);
});

test('a daemon refusal (name taken) is printed as docker prints it', async () => {
  const r = await shoal(['secret', 'create', 'db_password', '-'], 'x');
  assert.equal(r.code, 1);
  assert.equal(
    r.stderr,
    'Error response from daemon: rpc error: code = AlreadyExists desc = secret db_password already exists\n',
  );
});

test('service create --secret/--config resolves names to IDs and sends the spec docker sends', async () => {
  const r = await shoal([
    'service',
    'create',
    '-d',
    '--name',
    'withsecrets',
    '--secret',
    'db_password',
    '--secret',
    'src=tls_key,target=/etc/tls.key,uid=100,gid=101,mode=0400',
    '--config',
    'nginx_conf',
    '--config',
    'src=app_settings,target=/app/settings,mode=0440',
    'busybox',
  ]);
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(
    lastRequest('POST', '/services/create').body,
    exchanges['serviceCreateWithSecrets']?.requestBody,
  );
  assert.equal(
    lastRequest('GET', '/secrets').query.get('filters'),
    '{"name":{"db_password":true,"tls_key":true}}',
  );
  const secrets = (
    lastRequest('POST', '/services/create').body as {
      TaskTemplate: { ContainerSpec: { Secrets: unknown[] } };
    }
  ).TaskTemplate.ContainerSpec.Secrets;
  assert.deepEqual(secrets[0], {
    File: { Name: 'db_password', UID: '0', GID: '0', Mode: 0o444 },
    SecretID: 'q7ssbxw1wp3hp7a7y5k8rkj2d',
    SecretName: 'db_password',
  });
});

test('service create refuses unknown secrets and duplicate targets without creating', async () => {
  const before = server.requests.filter((q) => q.path === '/services/create').length;
  const missing = await shoal(['service', 'create', '-d', '--secret', 'missing', 'busybox']);
  assert.equal(missing.code, 1);
  assert.equal(missing.stderr, 'secret not found: missing\n');
  const dup = await shoal([
    'service',
    'create',
    '-d',
    '--secret',
    'db_password',
    '--secret',
    'src=tls_key,target=db_password',
    'busybox',
  ]);
  assert.equal(dup.stderr, 'duplicate secret target for tls_key not allowed\n');
  const mode = await shoal(['service', 'create', '-d', '--secret', 'src=db_password,mode=abc', 'busybox']);
  assert.equal(
    mode.stderr,
    'invalid argument "src=db_password,mode=abc" for "--secret" flag: invalid mode specified: strconv.ParseUint: parsing "abc": invalid syntax\n',
  );
  assert.equal(server.requests.filter((q) => q.path === '/services/create').length, before);
});

test('service update --secret-add/--secret-rm/--config-add keeps the rest of the spec', async () => {
  const r = await shoal([
    'service',
    'update',
    '-d',
    '--secret-add',
    'db_password',
    '--secret-rm',
    'nope',
    '--config-add',
    'src=nginx_conf,target=/n.conf',
    'web',
  ]);
  assert.equal(r.code, 0, r.stderr);
  const sent = lastRequest('POST', '/services/');
  const recorded = exchanges['serviceUpdateSecretAdd'];
  assert.equal(sent.path, recorded?.path);
  assert.deepEqual(sent.body, recorded?.requestBody);

  // --secret-rm by name drops that reference from a service that has it.
  const web = server.requests.length;
  server.overrides.set('GET /services/web', {
    status: 200,
    json: {
      ID: 'wpdtmups8au89kqsvc0fc9x95',
      Version: { Index: 19 },
      CreatedAt: '2026-11-25T08:40:00Z',
      UpdatedAt: '2026-11-25T08:40:00Z',
      Spec: recorded?.requestBody,
    },
  });
  try {
    const rmr = await shoal([
      'service',
      'update',
      '-d',
      '--secret-rm',
      'db_password',
      '--config-rm',
      'nginx_conf',
      'web',
    ]);
    assert.equal(rmr.code, 0, rmr.stderr);
    const body = server.requests.slice(web).find((q) => q.method === 'POST')?.body as {
      TaskTemplate: { ContainerSpec: { Secrets?: unknown[]; Configs?: unknown[]; Image: string } };
    };
    // Emptied lists are left out, as Go's omitempty does.
    assert.equal(body.TaskTemplate.ContainerSpec.Secrets, undefined);
    assert.equal(body.TaskTemplate.ContainerSpec.Configs, undefined);
    assert.equal(body.TaskTemplate.ContainerSpec.Image, 'busybox:latest');
    // No secret or config lookups are needed for removals only.
    assert.equal(
      server.requests.slice(web).filter((q) => q.path === '/secrets' || q.path === '/configs').length,
      0,
    );
  } finally {
    server.overrides.delete('GET /services/web');
  }
});
