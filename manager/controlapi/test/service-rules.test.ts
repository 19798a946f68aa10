import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  createLocalStore,
  type MemoryStore,
  type ReadTx,
  type Service,
  type ServiceSpec,
} from '../../store/index.js';
import { newNetwork, newService, taskSpec } from '../../store/test/fixtures.js';
import {
  checkServiceSpec,
  createService,
  MAX_REPLICAS,
  MAX_SERVICE_SPEC_BYTES,
  Refusal,
  updateService,
  type Decision,
} from '../index.js';

function spec(change: (s: ServiceSpec) => void = () => {}): ServiceSpec {
  const s: ServiceSpec = {
    name: 'web',
    labels: {},
    taskTemplate: taskSpec('busybox'),
    mode: { kind: 'replicated', replicas: 1 },
  };
  change(s);
  return s;
}

function refusalOf(decision: Decision): Refusal | undefined {
  return 'refusal' in decision ? decision.refusal : undefined;
}

async function store(): Promise<MemoryStore> {
  const s = createLocalStore();
  await s.update((tx) => {
    tx.create('services', newService('other', 'other'));
    tx.create('networks', {
      ...newNetwork('ing', 'ingress'),
      spec: { ...newNetwork('ing', 'ingress').spec, ingress: true },
    });
  });
  return s;
}

const big = (n: number): string => 'x'.repeat(n);
const many = <T>(n: number, f: (i: number) => T): T[] => Array.from({ length: n }, (_, i) => f(i));

/** [what, change, expected message (regexp)] — every one refused with 400 before any write. */
const REFUSED: [string, (s: ServiceSpec) => void, RegExp][] = [
  [
    'a billion replicas',
    (s) => void (s.mode = { kind: 'replicated', replicas: 1_000_000_000 }),
    /Mode: Replicas 1000000000 is out of range: it must be between 0 and 100000/,
  ],
  [
    'replicas one past the limit',
    (s) => void (s.mode = { kind: 'replicated', replicas: MAX_REPLICAS + 1 }),
    /Mode: Replicas/,
  ],
  [
    'fractional replicas',
    (s) => void (s.mode = { kind: 'replicated', replicas: 1.5 }),
    /Mode: Replicas must be an integer/,
  ],
  [
    'replicas past 2^53',
    (s) => void (s.mode = { kind: 'replicated', replicas: 2 ** 60 }),
    /Mode: Replicas must be an integer/,
  ],
  ['NaN replicas', (s) => void (s.mode = { kind: 'replicated', replicas: Number.NaN }), /must be an integer/],
  [
    'job MaxConcurrent',
    (s) => void (s.mode = { kind: 'replicatedJob', maxConcurrent: 1e7, totalCompletions: 1 }),
    /MaxConcurrent/,
  ],
  [
    'job TotalCompletions',
    (s) => void (s.mode = { kind: 'replicatedJob', maxConcurrent: 1, totalCompletions: 1e9 }),
    /TotalCompletions/,
  ],
  [
    'MaxReplicas per node',
    (s) => void (s.taskTemplate.placement.maxReplicas = 1e9),
    /Placement: MaxReplicas/,
  ],
  [
    'a 2.5 MB label',
    (s) => void (s.labels = { big: big(2_500_000) }),
    /service spec is \d+ bytes, more than the limit of 524288/,
  ],
  [
    'a 100 KB label value',
    (s) => void (s.labels = { big: big(100_000) }),
    /Labels: value of "big" is 100000 bytes, more than the limit of 65536/,
  ],
  ['a 2 KB label key', (s) => void (s.labels = { [big(2000)]: '' }), /Labels: key .* is 2000 bytes/],
  [
    'too many labels',
    (s) => void (s.labels = Object.fromEntries(many(1001, (i) => [`l${i}`, '']))),
    /Labels has 1001 entries, more than the limit of 1000/,
  ],
  ['an empty label key', (s) => void (s.labels = { '': 'x' }), /Labels: empty key/],
  [
    'container labels',
    (s) => void (s.taskTemplate.containerSpec.labels = { big: big(70_000) }),
    /ContainerSpec: Labels: value/,
  ],
  [
    'many env entries',
    (s) => void (s.taskTemplate.containerSpec.env = many(10_001, () => 'A=1')),
    /ContainerSpec: Env has 10001 entries/,
  ],
  [
    'a huge env entry',
    (s) => void (s.taskTemplate.containerSpec.env = [`A=${big(200_000)}`]),
    /ContainerSpec: Env entry is 200002 bytes/,
  ],
  [
    'many args',
    (s) => void (s.taskTemplate.containerSpec.args = many(10_001, () => 'a')),
    /ContainerSpec: Args has/,
  ],
  [
    'many command words',
    (s) => void (s.taskTemplate.containerSpec.command = many(10_001, () => 'a')),
    /ContainerSpec: Command has/,
  ],
  [
    'many mounts',
    (s) =>
      void (s.taskTemplate.containerSpec.mounts = many(1001, (i) => ({
        type: 'tmpfs',
        target: `/m${i}`,
        readOnly: false,
      }))),
    /ContainerSpec: Mounts has 1001/,
  ],
  [
    'a long mount target',
    (s) =>
      void (s.taskTemplate.containerSpec.mounts = [
        { type: 'tmpfs', target: `/${big(5000)}`, readOnly: false },
      ]),
    /Mounts: Target is 5001 bytes/,
  ],
  [
    'tmpfs mode',
    (s) =>
      void (s.taskTemplate.containerSpec.mounts = [
        { type: 'tmpfs', target: '/t', readOnly: false, tmpfsOptions: { sizeBytes: 1, mode: 0o77777 } },
      ]),
    /TmpfsOptions.Mode/,
  ],
  [
    'many constraints',
    (s) => void (s.taskTemplate.placement.constraints = many(257, () => 'node.role==manager')),
    /Placement: Constraints has 257/,
  ],
  [
    'many preferences',
    (s) => void (s.taskTemplate.placement.preferences = many(65, () => ({ spread: 'node.labels.z' }))),
    /Placement: Preferences has 65/,
  ],
  [
    'many networks',
    (s) =>
      void (s.taskTemplate.networks = many(257, (i) => ({ target: `n${i}`, aliases: [], driverOpts: {} }))),
    /TaskSpec: Networks has 257/,
  ],
  [
    'many hosts',
    (s) => void (s.taskTemplate.containerSpec.hosts = many(1001, () => '1.2.3.4 a')),
    /ContainerSpec: Hosts has 1001/,
  ],
  [
    'many nameservers',
    (s) =>
      void (s.taskTemplate.containerSpec.dnsConfig = {
        nameservers: many(17, () => '1.1.1.1'),
        search: [],
        options: [],
      }),
    /DNSConfig.Nameservers has 17/,
  ],
  [
    'many sysctls',
    (s) =>
      void (s.taskTemplate.containerSpec.sysctls = Object.fromEntries(many(257, (i) => [`net.x${i}`, '1']))),
    /ContainerSpec: Sysctls has 257/,
  ],
  [
    'many capabilities',
    (s) => void (s.taskTemplate.containerSpec.capabilityAdd = many(129, () => 'CAP_NET_ADMIN')),
    /CapabilityAdd has 129/,
  ],
  [
    'many secrets',
    (s) =>
      void (s.taskTemplate.containerSpec.secrets = many(1001, (i) => ({
        secretId: `s${i}`,
        secretName: `s${i}`,
        file: { name: 'f', uid: '0', gid: '0', mode: 0o444 },
      }))),
    /ContainerSpec: Secrets has 1001/,
  ],
  [
    'a secret file mode',
    (s) =>
      void (s.taskTemplate.containerSpec.secrets = [
        { secretId: 's', secretName: 's', file: { name: 'f', uid: '0', gid: '0', mode: 2 ** 20 } },
      ]),
    /Secrets: File.Mode/,
  ],
  [
    'many ports',
    (s) =>
      void (s.endpointSpec = {
        mode: 'vip',
        ports: many(4097, (i) => ({
          protocol: 'tcp',
          targetPort: 80,
          publishedPort: i + 1,
          publishMode: 'ingress',
        })),
      }),
    /EndpointSpec: Ports has 4097/,
  ],
  [
    'target port 0',
    (s) =>
      void (s.endpointSpec = {
        mode: 'vip',
        ports: [{ protocol: 'tcp', targetPort: 0, publishedPort: 80, publishMode: 'ingress' }],
      }),
    /target port 0 is out of range/,
  ],
  [
    'published port 70000',
    (s) =>
      void (s.endpointSpec = {
        mode: 'vip',
        ports: [{ protocol: 'tcp', targetPort: 80, publishedPort: 70_000, publishMode: 'ingress' }],
      }),
    /published port 70000 is out of range/,
  ],
  [
    'negative restart delay',
    (s) => void (s.taskTemplate.restartPolicy.delay = -1),
    /TaskSpec: restart-delay cannot be negative/,
  ],
  [
    'a restart delay past int64 ns',
    (s) => void (s.taskTemplate.restartPolicy.delay = 1e16),
    /RestartPolicy.Delay is longer than the limit/,
  ],
  [
    'an update monitor past int64 ns',
    (s) =>
      void (s.updateConfig = {
        parallelism: 1,
        delay: 0,
        failureAction: 'pause',
        monitor: 1e16,
        maxFailureRatio: 0,
        order: 'stop-first',
      }),
    /UpdateConfig: Monitor is longer than the limit/,
  ],
  [
    'a stop grace period past int64 ns',
    (s) => void (s.taskTemplate.containerSpec.stopGracePeriod = 1e16),
    /ContainerSpec: StopGracePeriod is longer than the limit/,
  ],
  [
    'negative update monitor',
    (s) =>
      void (s.updateConfig = {
        parallelism: 1,
        delay: 0,
        failureAction: 'pause',
        monitor: -5,
        maxFailureRatio: 0,
        order: 'stop-first',
      }),
    /TaskSpec: update-monitor cannot be negative/,
  ],
  [
    'update parallelism',
    (s) =>
      void (s.updateConfig = {
        parallelism: 1e9,
        delay: 0,
        failureAction: 'pause',
        monitor: 0,
        maxFailureRatio: 0,
        order: 'stop-first',
      }),
    /UpdateConfig: Parallelism/,
  ],
  [
    'rollback failure ratio',
    (s) =>
      void (s.rollbackConfig = {
        parallelism: 1,
        delay: 0,
        failureAction: 'pause',
        monitor: 0,
        maxFailureRatio: 2,
        order: 'stop-first',
      }),
    /rollback-maxfailureratio cannot be less than 0 or bigger than 1/,
  ],
  [
    'healthcheck interval under 1 ms',
    (s) =>
      void (s.taskTemplate.containerSpec.healthcheck = {
        test: ['CMD', 'true'],
        interval: -3,
        timeout: 0,
        startPeriod: 0,
        retries: 0,
      }),
    /Interval in HealthConfig cannot be less than 1ms/,
  ],
  [
    'negative healthcheck retries',
    (s) =>
      void (s.taskTemplate.containerSpec.healthcheck = {
        test: ['CMD', 'true'],
        interval: 0,
        timeout: 0,
        startPeriod: 0,
        retries: -1,
      }),
    /Retries in HealthConfig cannot be negative/,
  ],
  [
    'negative generic resource',
    (s) =>
      void (s.taskTemplate.resources.reservations = {
        nanoCPUs: 0,
        memoryBytes: 0,
        generic: [{ kind: 'discrete', resourceKind: 'gpu', value: -1 }],
      }),
    /GenericResources: Value/,
  ],
  ['a 64-character name', (s) => void (s.name = big(64)), /name must be 63 characters or fewer/],
  [
    'a name built to backtrack',
    (s) => void (s.name = `${'a'.repeat(60)}!`),
    /name must be valid as a DNS name component/,
  ],
  [
    'an invalid image',
    (s) => void (s.taskTemplate.containerSpec.image = 'Bad/Image'),
    /is not a valid repository\/tag/,
  ],
  [
    'a tiny cpu limit',
    (s) => void (s.taskTemplate.resources.limits = { nanoCPUs: 10, memoryBytes: 0, generic: [] }),
    /invalid cpu value 1e-8: Must be at least 0.001/,
  ],
  [
    'a bad constraint',
    (s) => void (s.taskTemplate.placement.constraints = ['node.role=manager']),
    /constraint expected one operator from ==, !=/,
  ],
];

test('checkServiceSpec refuses every field beyond its limit, with InvalidArgument and the field named', () => {
  for (const [what, change, message] of REFUSED) {
    const s = spec(change);
    const started = performance.now();
    assert.throws(
      () => checkServiceSpec(s),
      (e: unknown) => {
        assert.ok(e instanceof Refusal, `${what}: ${String(e)}`);
        assert.equal(e.statusCode, 400, what);
        assert.match(e.message, /^rpc error: code = InvalidArgument desc = /, what);
        assert.match(e.message, message, what);
        return true;
      },
      what,
    );
    assert.ok(performance.now() - started < 500, `${what}: took ${performance.now() - started} ms`);
  }
});

test('checkServiceSpec accepts specs at every limit', () => {
  const atLimits = spec((s) => {
    s.mode = { kind: 'replicated', replicas: MAX_REPLICAS };
    s.name = 'a'.repeat(63);
    s.labels = { k: big(64 * 1024) };
    s.taskTemplate.containerSpec.env = many(1000, (i) => `E${i}=1`);
    s.taskTemplate.placement.maxReplicas = MAX_REPLICAS;
    // Longer than one Node timer holds (24.8 days): waited out in steps, so accepted as Docker does.
    s.taskTemplate.restartPolicy.delay = 30 * 86_400_000;
    s.endpointSpec = {
      mode: 'vip',
      ports: [
        { protocol: 'tcp', targetPort: 65535, publishedPort: 0, publishMode: 'ingress' },
        { protocol: 'udp', targetPort: 1, publishedPort: 65535, publishMode: 'host' },
      ],
    };
  });
  assert.doesNotThrow(() => checkServiceSpec(atLimits));
  assert.ok(JSON.stringify(atLimits).length < MAX_SERVICE_SPEC_BYTES);
});

test('createService: writes the service, or refuses with nothing to write', async () => {
  const s = await store();
  const ok = s.view((tx) => createService(tx, { id: 'new', spec: spec() }));
  assert.ok('writes' in ok);
  assert.equal(ok.writes.length, 1);
  assert.deepEqual(ok.writes[0], {
    op: 'create',
    table: 'services',
    object: { id: 'new', spec: spec(), specVersion: 0, pendingDelete: false },
  });
  const poison = s.view((tx) =>
    createService(tx, { id: 'p', spec: spec((x) => void (x.mode = { kind: 'replicated', replicas: 1e9 })) }),
  );
  assert.equal(refusalOf(poison)?.statusCode, 400);
  const ingress = s.view((tx) =>
    createService(tx, {
      id: 'i',
      spec: spec((x) => void (x.taskTemplate.networks = [{ target: 'ing', aliases: [], driverOpts: {} }])),
    }),
  );
  assert.match(refusalOf(ingress)?.message ?? '', /cannot be explicitly attached to the ingress network/);
  const secret = s.view((tx) =>
    createService(tx, {
      id: 's',
      spec: spec(
        (x) =>
          void (x.taskTemplate.containerSpec.secrets = [
            { secretId: 'nope', secretName: 'pw', file: { name: 'pw', uid: '0', gid: '0', mode: 0o444 } },
          ]),
      ),
    }),
  );
  assert.match(refusalOf(secret)?.message ?? '', /secret not found: pw/);
});

test('updateService: limits, mode change and rename refused; rollback needs a previous spec', async () => {
  const s = await store();
  const base = {
    serviceId: 'other',
    version: 1,
    rollback: '',
    registryAuthFrom: '',
    now: '2024-01-01T00:00:00Z',
  };
  const other = spec((x) => void (x.name = 'other'));
  const cases: [string, Partial<typeof base> & { spec: ServiceSpec }, number, RegExp][] = [
    ['poison', { spec: { ...other, mode: { kind: 'replicated', replicas: 1e9 } } }, 400, /Mode: Replicas/],
    [
      'mode change',
      { spec: { ...other, mode: { kind: 'global' } } },
      501,
      /service mode change is not allowed/,
    ],
    ['rename', { spec: spec() }, 501, /renaming services is not supported/],
    [
      'rollback',
      { spec: other, rollback: 'previous' },
      400,
      /FailedPrecondition desc = service other does not have a previous spec/,
    ],
    ['bad rollback option', { spec: other, rollback: 'later' }, 400, /unrecognized rollback option later/],
    [
      'bad registryAuthFrom',
      { spec: other, registryAuthFrom: 'x' },
      400,
      /unsupported registryAuthFrom value/,
    ],
  ];
  for (const [what, req, status, message] of cases) {
    const refusal = refusalOf(s.view((tx) => updateService(tx, { ...base, ...req })));
    assert.equal(refusal?.statusCode, status, what);
    assert.match(refusal?.message ?? '', message, what);
  }
  const ok = s.view((tx) => updateService(tx, { ...base, spec: { ...other, labels: { a: 'b' } } }));
  assert.ok('writes' in ok && ok.writes[0]?.op === 'update');
});

test('create and update resolve network names after the spec is checked, before the cluster rules', async () => {
  const s = await store();
  const named = (x: ServiceSpec): void =>
    void (x.taskTemplate.networks = [{ target: 'ingress', aliases: [], driverOpts: {} }]);
  const asked: string[] = [];
  const networkId = (tx: ReadTx, target: string): string => {
    asked.push(target);
    const found = tx.getByName('networks', target);
    if (found === undefined) throw new Error(`network ${target} not found`);
    return found.id;
  };
  // The spec's own rules come first: the resolver is not asked.
  const poison = s.view((tx) =>
    createService(tx, {
      id: 'p',
      spec: spec((x) => {
        named(x);
        x.mode = { kind: 'replicated', replicas: 1e9 };
      }),
      networkId,
    }),
  );
  assert.equal(refusalOf(poison)?.statusCode, 400);
  assert.deepEqual(asked, []);
  // Then the name becomes the ID, and the rules between objects see the ingress network.
  const ingress = s.view((tx) => createService(tx, { id: 'i', spec: spec(named), networkId }));
  assert.deepEqual(asked, ['ingress']);
  assert.match(
    refusalOf(ingress)?.message ?? '',
    /cannot be explicitly attached to the ingress network "ingress"/,
  );
  const base = { serviceId: 'other', version: 1, rollback: '', now: '2024-01-01T00:00:00Z', networkId };
  const other = spec((x) => {
    named(x);
    x.name = 'other';
  });
  // An unknown network is the resolver's error, thrown as it is (the transport's 404).
  const gone = spec((x) => {
    x.name = 'other';
    x.taskTemplate.networks = [{ target: 'gone', aliases: [], driverOpts: {} }];
  });
  assert.throws(
    () => s.view((tx) => updateService(tx, { ...base, spec: gone, registryAuthFrom: '' })),
    /network gone not found/,
  );
  // The order users see: networks resolved, then registryAuthFrom, then the ingress rule.
  const update = s.view((tx) =>
    updateService(tx, { ...base, spec: other, registryAuthFrom: 'previous-spec' }),
  );
  assert.equal(refusalOf(update)?.message, 'service does not have a previous spec');
});

function updatedService(decision: Decision): Service {
  const w = 'writes' in decision ? decision.writes[0] : undefined;
  if (w?.op !== 'update' || w.table !== 'services') throw new Error('expected a service update');
  return w.object;
}

test('a job is created with its JobStatus (iteration 0), and every update starts the next iteration', async () => {
  const s = await store();
  const now = '2024-01-01T00:00:00.000Z';
  const jobSpec = spec(
    (x) => void (x.mode = { kind: 'replicatedJob', maxConcurrent: 1, totalCompletions: 2 }),
  );
  const created = s.view((tx) => createService(tx, { id: 'job', spec: jobSpec, now }));
  assert.ok('writes' in created && created.writes[0]?.op === 'create');
  const object = created.writes[0].object;
  assert.ok('jobStatus' in object);
  assert.deepEqual(object.jobStatus, { jobIteration: 0, lastExecution: now });
  const service = s.view((tx) => createService(tx, { id: 'svc', spec: spec(), now }));
  assert.ok('writes' in service && service.writes[0]?.op === 'create');
  assert.equal('jobStatus' in service.writes[0].object, false, 'only jobs carry a JobStatus');

  await s.update((tx) => {
    tx.create('services', {
      ...newService('job', 'web', jobSpec.mode),
      spec: jobSpec,
      jobStatus: { jobIteration: 0, lastExecution: now },
    });
  });
  const later = '2024-01-01T00:01:00.000Z';
  const base = { serviceId: 'job', version: 1, spec: jobSpec, registryAuthFrom: '', now: later };
  const updated = s.view((tx) => updateService(tx, { ...base, rollback: '' }));
  assert.deepEqual(updatedService(updated).jobStatus, { jobIteration: 1, lastExecution: later });
  await s.update((tx) => {
    const job = tx.get('services', 'job');
    if (job === undefined) throw new Error('job is gone');
    tx.update('services', { ...job, previousSpec: jobSpec });
  });
  const rolledBack = s.view((tx) => updateService(tx, { ...base, version: 2, rollback: 'previous' }));
  assert.deepEqual(updatedService(rolledBack).jobStatus, { jobIteration: 1, lastExecution: later });
});
