// Flag -> DockerServiceSpec translation, checked against the request bodies the real docker CLI
// sent for the same command lines (fixtures/exchanges.json).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Command } from 'commander';
import { addCreateFlags, addUpdateFlags, type ServiceFlags } from '../commands/service-spec/service-flags.js';
import { buildCreateSpec } from '../commands/service-spec/create-spec.js';
import { applyUpdateFlags } from '../commands/service-spec/update-spec.js';
import { parsePortSpec } from '../commands/service-spec/port-spec.js';
import { parseMountSpec } from '../commands/service-spec/mount-spec.js';
import type { DockerService, DockerServiceSpec } from '../client/types.js';
import { exchanges } from './support/fixtures.js';

function parseCreate(argv: string[]): DockerServiceSpec {
  const cmd = new Command('create')
    .argument('<image>')
    .argument('[command...]')
    .passThroughOptions()
    .exitOverride();
  addCreateFlags(cmd);
  let spec: DockerServiceSpec | undefined;
  cmd.action((image: string, command: string[], flags: ServiceFlags) => {
    spec = buildCreateSpec(flags, [image, ...command], { FROM_ENV: 'yes' });
  });
  cmd.parse(argv, { from: 'user' });
  if (spec === undefined) throw new Error('no spec');
  return spec;
}

function parseUpdate(argv: string[], current: DockerServiceSpec): DockerServiceSpec {
  const cmd = new Command('update').argument('<service>').exitOverride();
  addUpdateFlags(cmd);
  let spec: DockerServiceSpec | undefined;
  cmd.action((_ref: string, flags: ServiceFlags) => {
    spec = applyUpdateFlags(current, flags, {});
  });
  cmd.parse(argv, { from: 'user' });
  if (spec === undefined) throw new Error('no spec');
  return spec;
}

function recorded(key: string): unknown {
  return exchanges[key]?.requestBody;
}

function argvOf(key: string): string[] {
  // "docker service create -d --name full ... (docker CLI …)" -> the words after "create"/"update"
  const command = exchanges[key]?.command ?? '';
  const line = command.replace(/^docker /, '').replace(/ \(docker CLI.*$/, '');
  return line.split(' ').slice(2);
}

test('create: every flag of the recorded "full" service gives docker\'s spec', () => {
  const argv = argvOf('serviceCreateFull');
  // The recorded shell line quoted two values; restore them as the shell passed them.
  const fixed = argv
    .join(' ')
    .replace('--entrypoint /bin/sh -c', '--entrypoint "/bin/sh -c"')
    .replace('busybox sleep 3600', 'busybox SLEEP');
  const words = fixed.match(/"[^"]*"|\S+/g)?.map((w) => w.replace(/^"|"$/g, '')) ?? [];
  const spec = parseCreate(words.map((w) => (w === 'SLEEP' ? 'sleep 3600' : w)));
  assert.deepEqual(spec, recorded('serviceCreateFull'));
});

test("create: minimal and global-job specs match docker's", () => {
  assert.deepEqual(parseCreate(['--name', 'minimal', 'busybox']), recorded('serviceCreateMinimal'));
  assert.deepEqual(
    parseCreate(['--name', 'gjob', '--mode', 'global-job', 'busybox', 'true']),
    recorded('serviceCreateGlobalJob'),
  );
});

test('create: table of flag translations', () => {
  const cases: [string[], (s: DockerServiceSpec) => unknown, unknown][] = [
    [['--replicas', '2', 'nginx'], (s) => s.Mode, { Replicated: { Replicas: 2 } }],
    [['--mode', 'global', 'nginx'], (s) => s.Mode, { Global: {} }],
    [
      ['--mode', 'replicated-job', '--replicas', '3', 'nginx'],
      (s) => s.Mode,
      { ReplicatedJob: { MaxConcurrent: 3, TotalCompletions: 3 } },
    ],
    [
      ['-p', '8080:80', 'nginx'],
      (s) => s.EndpointSpec?.Ports,
      [{ Protocol: 'tcp', TargetPort: 80, PublishedPort: 8080, PublishMode: 'ingress' }],
    ],
    [
      ['--publish', 'published=8080,target=80', 'nginx'],
      (s) => s.EndpointSpec?.Ports,
      [{ Protocol: 'tcp', TargetPort: 80, PublishedPort: 8080, PublishMode: 'ingress' }],
    ],
    [
      ['-e', 'A=1', '-e', 'A=2', '-e', 'FROM_ENV', 'nginx'],
      (s) => s.TaskTemplate?.ContainerSpec?.Env,
      ['A=2', 'FROM_ENV=yes'],
    ],
    [
      ['--update-delay', '10s', 'nginx'],
      (s) => s.UpdateConfig,
      {
        Parallelism: 1,
        Delay: 10e9,
        FailureAction: 'pause',
        Monitor: 5e9,
        MaxFailureRatio: 0,
        Order: 'stop-first',
      },
    ],
    [
      ['--restart-condition', 'none', 'nginx'],
      (s) => s.TaskTemplate?.RestartPolicy,
      { Condition: 'none', Delay: 5e9, MaxAttempts: 0 },
    ],
    [['--no-healthcheck', 'nginx'], (s) => s.TaskTemplate?.ContainerSpec?.Healthcheck, { Test: ['NONE'] }],
    [
      ['--network', 'b', '--network', 'a', 'nginx'],
      (s) => s.TaskTemplate?.Networks,
      [{ Target: 'a' }, { Target: 'b' }],
    ],
    [['nginx', 'sh', '-c', 'echo hi'], (s) => s.TaskTemplate?.ContainerSpec?.Args, ['sh', '-c', 'echo hi']],
  ];
  for (const [argv, pick, want] of cases) assert.deepEqual(pick(parseCreate(argv)), want, argv.join(' '));
});

test("create: invalid flags give docker's messages", () => {
  const cases: [string[], string][] = [
    [['--mode', 'nope', 'nginx'], 'Unknown mode: nope, only replicated and global supported'],
    [
      ['--mode', 'global', '--replicas', '2', 'nginx'],
      'replicas can only be used with replicated or replicated-job mode',
    ],
    [
      ['--replicas', 'x', 'nginx'],
      'invalid argument "x" for "--replicas" flag: strconv.ParseUint: parsing "x": invalid syntax',
    ],
    [
      ['--update-delay', '10', 'nginx'],
      'invalid argument "10" for "--update-delay" flag: time: missing unit in duration "10"',
    ],
    [
      ['--mode', 'replicated-job', '--update-delay', '1s', 'nginx'],
      'update and rollback configuration is not supported for jobs',
    ],
    [
      ['--limit-memory', 'lots', 'nginx'],
      'invalid argument "lots" for "--limit-memory" flag: invalid size: \'lots\'',
    ],
  ];
  for (const [argv, message] of cases) assert.throws(() => parseCreate(argv), { message }, argv.join(' '));
});

test("update: add and remove flags give docker's specs", () => {
  const before = (key: string): DockerServiceSpec => (exchanges[key]?.body as DockerService).Spec;
  assert.deepEqual(
    parseUpdate(argvOf('serviceUpdateAdd'), before('serviceUpdateAddBefore')),
    recorded('serviceUpdateAdd'),
  );
  assert.deepEqual(
    parseUpdate(argvOf('serviceUpdateRemove'), before('serviceUpdateRemoveBefore')),
    recorded('serviceUpdateRemove'),
  );
});

test('port and mount specs', () => {
  assert.deepEqual(parsePortSpec('8080-8081:80-81/udp'), [
    { Protocol: 'udp', TargetPort: 80, PublishedPort: 8080, PublishMode: 'ingress' },
    { Protocol: 'udp', TargetPort: 81, PublishedPort: 8081, PublishMode: 'ingress' },
  ]);
  assert.deepEqual(parsePortSpec('80'), [{ Protocol: 'tcp', TargetPort: 80, PublishMode: 'ingress' }]);
  assert.deepEqual(parsePortSpec('mode=host,target=90,published=9090'), [
    { Protocol: 'tcp', TargetPort: 90, PublishedPort: 9090, PublishMode: 'host' },
  ]);
  assert.throws(() => parsePortSpec('published=80'), { message: "missing mandatory field 'target'" });
  assert.throws(() => parsePortSpec('127.0.0.1:80:80'), { message: 'hostip is not supported' });
  assert.deepEqual(parseMountSpec('type=tmpfs,dst=/t,tmpfs-size=1m'), {
    Type: 'tmpfs',
    Target: '/t',
    TmpfsOptions: { SizeBytes: 1048576 },
  });
  assert.throws(() => parseMountSpec('type=bind,src=/a'), { message: 'target is required' });
  assert.throws(() => parseMountSpec('type=bind,src=/a,dst=/b,volume-nocopy'), {
    message: "cannot mix 'volume-*' options with mount type 'bind'",
  });
});
