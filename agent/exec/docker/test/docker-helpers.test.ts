// Pure parts of the Docker executor: image references, the log stream decoder, errors as the
// engine words them, credentials from a docker CLI config file, and the container config.

import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { EngineError, EngineUnavailableError, InvalidTaskSpecError } from '../../errors.js';
import { makeTask, type TaskOverrides } from '../../test/task-fixture.js';
import { containerCreateOptions } from '../container-config.js';
import { engineMessage, toExecError } from '../engine-errors.js';
import { parseImageReference, pullQuery } from '../image-reference.js';
import { LogDecoder, sinceParam } from '../log-stream.js';
import { dockerConfigAuth } from '../registry-auth.js';

test('image references split into repository, tag or digest, and registry', () => {
  const cases: [string, ReturnType<typeof parseImageReference>][] = [
    ['nginx', { repository: 'nginx', tag: 'latest', registry: 'docker.io' }],
    ['nginx:1.25', { repository: 'nginx', tag: '1.25', registry: 'docker.io' }],
    ['library/nginx:alpine', { repository: 'library/nginx', tag: 'alpine', registry: 'docker.io' }],
    ['localhost:5000/app', { repository: 'localhost:5000/app', tag: 'latest', registry: 'localhost:5000' }],
    [
      'reg.example.com/team/app:v2',
      { repository: 'reg.example.com/team/app', tag: 'v2', registry: 'reg.example.com' },
    ],
    ['app@sha256:abc', { repository: 'app', digest: 'sha256:abc', registry: 'docker.io' }],
  ];
  for (const [ref, want] of cases) assert.deepEqual(parseImageReference(ref), want, ref);
  assert.deepEqual(pullQuery(parseImageReference('nginx')), { fromImage: 'nginx', tag: 'latest' });
  assert.deepEqual(pullQuery(parseImageReference('app@sha256:abc')), {
    fromImage: 'app@sha256:abc',
    tag: '',
  });
});

function frame(stream: 1 | 2, text: string): Buffer {
  const payload = Buffer.from(text);
  const header = Buffer.alloc(8);
  header[0] = stream;
  header.writeUInt32BE(payload.length, 4);
  return Buffer.concat([header, payload]);
}

test('the log decoder demultiplexes frames split anywhere and parses timestamps', () => {
  const bytes = Buffer.concat([
    frame(1, '2030-01-01T00:00:00.123456789Z hello\n'),
    frame(2, '2030-01-01T00:00:01.000000000Z oops\n'),
    frame(1, '2030-01-01T00:00:02.000000000Z par'),
    frame(1, 'tial\n'),
  ]);
  const d = new LogDecoder(false);
  const out = [];
  for (let i = 0; i < bytes.length; i += 5) out.push(...d.push(bytes.subarray(i, i + 5)));
  out.push(...d.end());
  assert.deepEqual(out, [
    { stream: 'stdout', timestamp: '2030-01-01T00:00:00.123456789Z', line: 'hello' },
    { stream: 'stderr', timestamp: '2030-01-01T00:00:01.000000000Z', line: 'oops' },
    { stream: 'stdout', timestamp: '2030-01-01T00:00:02.000000000Z', line: 'partial' },
  ]);
  const tty = new LogDecoder(true);
  assert.deepEqual(tty.push(Buffer.from('2030-01-01T00:00:00Z a\r\n2030-01-01T00:00:00Z b')), [
    { stream: 'stdout', timestamp: '2030-01-01T00:00:00Z', line: 'a' },
  ]);
  assert.deepEqual(tty.end(), [{ stream: 'stdout', timestamp: '2030-01-01T00:00:00Z', line: 'b' }]);
  assert.equal(sinceParam(new Date(1_700_000_000_250)), '1700000000.250000000');
});

test('engine errors keep the engine words and tell an absent engine apart', () => {
  const refused = Object.assign(
    new Error('(HTTP code 404) no such container - No such container: web.1.x '),
    {
      statusCode: 404,
      json: { message: 'No such container: web.1.x' },
    },
  );
  assert.equal(engineMessage(refused), 'No such container: web.1.x');
  const streamed = Object.assign(new Error('(HTTP code 500) server error - pull access denied for x '), {
    statusCode: 500,
  });
  assert.equal(engineMessage(streamed), 'pull access denied for x');
  const e = toExecError('starting container web.1.x', 'unix:///run/docker.sock', refused);
  assert.ok(e instanceof EngineError && e.statusCode === 404);
  assert.equal(e.message, 'starting container web.1.x: No such container: web.1.x');
  const down = Object.assign(new Error('connect ENOENT /run/docker.sock'), { code: 'ENOENT' });
  const u = toExecError('listing containers', 'unix:///run/docker.sock', down);
  assert.ok(u instanceof EngineUnavailableError);
  assert.match(u.message, /cannot reach the container engine at unix:\/\/\/run\/docker\.sock/);
});

test('registry credentials come from a docker CLI config file', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'shoal-auth-'));
  try {
    const path = join(dir, 'config.json');
    const auth = (s: string): string => Buffer.from(s).toString('base64');
    await writeFile(
      path,
      JSON.stringify({
        auths: {
          'https://index.docker.io/v1/': { auth: auth('hub-user:hub:pass') },
          'reg.local:5000': { auth: auth('me:secret') },
        },
      }),
    );
    const resolve = dockerConfigAuth(path);
    assert.deepEqual(await resolve('docker.io'), {
      serveraddress: 'https://index.docker.io/v1/',
      username: 'hub-user',
      password: 'hub:pass',
    });
    assert.deepEqual(await resolve('reg.local:5000'), {
      serveraddress: 'reg.local:5000',
      username: 'me',
      password: 'secret',
    });
    assert.equal(await resolve('elsewhere.io'), undefined);
    assert.equal(await dockerConfigAuth(join(dir, 'absent.json'))('docker.io'), undefined);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('the container config carries the spec; bad fields are named', () => {
  const t = makeTask({
    slot: 0,
    nodeId: 'n1',
    serviceName: 'agent',
    container: {
      command: ['/bin/app'],
      args: ['--flag'],
      stopGracePeriod: 2_500,
      healthcheck: { test: ['CMD', 'true'], interval: 1_000, timeout: 500, startPeriod: 0, retries: 2 },
      mounts: [
        {
          type: 'volume',
          source: 'data',
          target: '/data',
          readOnly: false,
          volumeOptions: { noCopy: true, labels: {} },
        },
      ],
    },
  });
  const c = containerCreateOptions(t, { networkMode: 'none', endpoints: [] });
  assert.equal(c.name, `agent.n1.${t.id}`);
  assert.deepEqual(c.Entrypoint, ['/bin/app']);
  assert.deepEqual(c.Cmd, ['--flag']);
  assert.equal(c.StopTimeout, 3);
  assert.deepEqual(c.Healthcheck, {
    Test: ['CMD', 'true'],
    Interval: 1e9,
    Timeout: 5e8,
    StartPeriod: 0,
    Retries: 2,
  });
  assert.deepEqual(c.HostConfig?.Mounts, [
    {
      Type: 'volume',
      Source: 'data',
      Target: '/data',
      ReadOnly: false,
      VolumeOptions: { NoCopy: true, Labels: {}, DriverConfig: { Name: '', Options: {} } },
    },
  ]);
  assert.equal(c.HostConfig?.RestartPolicy?.Name, 'no');
  const withEndpoint = containerCreateOptions(t, {
    networkMode: 'ov1',
    endpoints: [{ network: 'ov1', ipv4Address: '10.0.1.5', aliases: ['agent'], driverOpts: {} }],
  });
  assert.deepEqual(withEndpoint.NetworkingConfig?.EndpointsConfig?.['ov1']?.IPAMConfig, {
    IPv4Address: '10.0.1.5',
  });

  const bad = (container: NonNullable<TaskOverrides['container']>): unknown => {
    try {
      containerCreateOptions(makeTask({ container }), { networkMode: 'none', endpoints: [] });
    } catch (e: unknown) {
      return e;
    }
    return undefined;
  };
  const relative = bad({ mounts: [{ type: 'bind', source: 'rel', target: '/x', readOnly: false }] });
  assert.ok(relative instanceof InvalidTaskSpecError && relative.field === 'containerSpec.mounts[0].source');
  const host = bad({ hosts: ['10.0.0.1'] });
  assert.ok(host instanceof InvalidTaskSpecError && host.field === 'containerSpec.hosts[0]');
  assert.ok(bad({ image: '' }) instanceof InvalidTaskSpecError);
});
