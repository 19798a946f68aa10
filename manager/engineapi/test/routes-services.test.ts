import assert from 'node:assert/strict';
import { test } from 'node:test';
import { json, seedTasks, serviceBody, startHarness, type ApiHarness } from './harness.js';

interface ServiceJson {
  ID: string;
  Version: { Index: number };
  Spec: Record<string, unknown> & { Name: string; TaskTemplate: { ContainerSpec: Record<string, unknown> } };
  PreviousSpec?: Record<string, unknown>;
  UpdateStatus?: { State: string; Message?: string };
  ServiceStatus?: { RunningTasks: number; DesiredTasks: number; CompletedTasks: number };
}

async function create(h: ApiHarness, body: Record<string, unknown>): Promise<string> {
  const res = await h.request('POST', '/v1.41/services/create', body);
  assert.equal(res.statusCode, 201, res.body);
  return json<{ ID: string }>(res).ID;
}

async function inspect(h: ApiHarness, ref: string, query = ''): Promise<ServiceJson> {
  const res = await h.request('GET', `/services/${ref}${query}`);
  assert.equal(res.statusCode, 200, res.body);
  return json<ServiceJson>(res);
}

test('create: 201 with a 25-character ID; name conflicts are 409; a missing name is generated', async () => {
  const h = await startHarness();
  try {
    const id = await create(h, serviceBody('web'));
    assert.match(id, /^[0-9a-z]{25}$/);
    const dup = await h.request('POST', '/services/create', serviceBody('WEB'));
    assert.equal(dup.statusCode, 409);
    assert.deepEqual(json(dup), {
      message:
        'rpc error: code = AlreadyExists desc = name conflicts with an existing object: service WEB already exists',
    });
    const anonymous = await create(h, { TaskTemplate: { ContainerSpec: { Image: 'busybox' } } });
    const s = await inspect(h, anonymous);
    assert.match(s.Spec.Name, /^[a-z]+_[a-z]+$/);
    assert.deepEqual(s.Spec['Mode'], { Replicated: { Replicas: 1 } });
  } finally {
    await h.close();
  }
});

test("create: invalid specs get 400 with Docker's messages and store nothing", async () => {
  const h = await startHarness();
  try {
    const ct = (c: Record<string, unknown>): Record<string, unknown> => ({
      ContainerSpec: { Image: 'busybox', ...c },
    });
    const table: [Record<string, unknown>, string][] = [
      [{ Name: 'x', TaskTemplate: {} }, 'mismatched Runtime and *Spec fields'],
      [
        { Name: 'x', TaskTemplate: { ContainerSpec: {} } },
        'rpc error: code = InvalidArgument desc = ContainerSpec: image reference must be provided',
      ],
      [
        { Name: 'x', TaskTemplate: ct({ Image: 'Bad/Image' }) },
        'rpc error: code = InvalidArgument desc = ContainerSpec: "Bad/Image" is not a valid repository/tag',
      ],
      [
        { Name: 'bad name!', TaskTemplate: ct({}) },
        'rpc error: code = InvalidArgument desc = name must be valid as a DNS name component',
      ],
      [
        { Name: 'x', TaskTemplate: ct({}), Mode: { Global: {}, Replicated: {} } },
        'must specify only one service mode',
      ],
      [
        { Name: 'x', TaskTemplate: ct({}), Mode: { Replicated: { Replicas: -1 } } },
        'json: cannot unmarshal number -1 into Go struct field ServiceSpec.Mode.Replicated.Replicas of type uint64',
      ],
      [
        { Name: 'x', TaskTemplate: ct({}), Mode: { Replicated: { Replicas: 'two' } } },
        'json: cannot unmarshal string into Go struct field ServiceSpec.Mode.Replicated.Replicas of type uint64',
      ],
      [
        { Name: 'x', TaskTemplate: { ...ct({}), RestartPolicy: { Condition: 'sometimes' } } },
        'invalid RestartCondition: "sometimes"',
      ],
      [
        { Name: 'x', TaskTemplate: { ...ct({}), RestartPolicy: { Delay: -1_000_000_000 } } },
        'rpc error: code = InvalidArgument desc = TaskSpec: restart-delay cannot be negative',
      ],
      [
        { Name: 'x', TaskTemplate: { ...ct({}), Resources: { Limits: { NanoCPUs: 1000 } } } },
        'rpc error: code = InvalidArgument desc = invalid cpu value 0.000001: Must be at least 0.001',
      ],
      [
        { Name: 'x', TaskTemplate: { ...ct({}), Resources: { Reservations: { MemoryBytes: 1024 } } } },
        'rpc error: code = InvalidArgument desc = invalid memory value 1024: Must be at least 4MiB',
      ],
      [
        { Name: 'x', TaskTemplate: { ...ct({}), Placement: { Constraints: ['node.role'] } } },
        'rpc error: code = InvalidArgument desc = constraint expected one operator from ==, !=',
      ],
      [
        {
          Name: 'x',
          TaskTemplate: ct({
            Mounts: [
              { Type: 'bind', Source: '/a', Target: '/x' },
              { Type: 'volume', Target: '/x' },
            ],
          }),
        },
        'rpc error: code = InvalidArgument desc = ContainerSpec: duplicate mount point: /x',
      ],
      [
        { Name: 'x', TaskTemplate: ct({ Mounts: [{ Type: 'npipe', Target: '/x' }] }) },
        'invalid MountType: "npipe"',
      ],
      [
        { Name: 'x', TaskTemplate: ct({}), UpdateConfig: { FailureAction: 'explode' } },
        'unrecognized update failure action explode',
      ],
      [
        { Name: 'x', TaskTemplate: ct({}), UpdateConfig: { Order: 'random' } },
        'unrecognized update order random',
      ],
      [
        { Name: 'x', TaskTemplate: ct({}), EndpointSpec: { Mode: 'magic' } },
        'invalid resolution mode: "magic"',
      ],
      [
        {
          Name: 'x',
          TaskTemplate: ct({}),
          EndpointSpec: { Mode: 'dnsrr', Ports: [{ TargetPort: 80, PublishedPort: 8080 }] },
        },
        "rpc error: code = InvalidArgument desc = EndpointSpec: port published with ingress mode can't be used with dnsrr mode",
      ],
      [
        {
          Name: 'x',
          TaskTemplate: ct({}),
          EndpointSpec: {
            Ports: [
              { TargetPort: 80, PublishedPort: 8080 },
              { TargetPort: 81, PublishedPort: 8080 },
            ],
          },
        },
        'rpc error: code = InvalidArgument desc = EndpointSpec: duplicate published ports provided',
      ],
      [
        { Name: 'x', TaskTemplate: { ...ct({}), Runtime: 'plugin' } },
        'runtime type "plugin" only supported in experimental',
      ],
      [
        {
          Name: 'x',
          TaskTemplate: ct({
            Secrets: [
              {
                SecretID: 'abc',
                SecretName: 'db-pass',
                File: { Name: 'db', UID: '0', GID: '0', Mode: 0o444 },
              },
            ],
          }),
        },
        'rpc error: code = InvalidArgument desc = secret not found: db-pass',
      ],
      [
        { Name: 'x', TaskTemplate: ct({ Secrets: [{ SecretID: 'abc', SecretName: 'db-pass' }] }) },
        'rpc error: code = InvalidArgument desc = malformed file secret reference, invalid target file name provided',
      ],
    ];
    for (const [body, message] of table) {
      const res = await h.request('POST', '/services/create', body);
      assert.equal(res.statusCode, 400, JSON.stringify(body));
      assert.deepEqual(json(res), { message }, JSON.stringify(body));
    }
    const net = await h.request('POST', '/services/create', {
      Name: 'x',
      TaskTemplate: { ...ct({}), Networks: [{ Target: 'backend' }] },
    });
    assert.equal(net.statusCode, 404);
    assert.deepEqual(json(net), { message: 'network backend not found' });
    assert.deepEqual(json(await h.request('GET', '/services')), []);
  } finally {
    await h.close();
  }
});

test('published ports already used by another service are refused', async () => {
  const h = await startHarness();
  try {
    const ports = { EndpointSpec: { Ports: [{ Protocol: 'tcp', TargetPort: 80, PublishedPort: 8080 }] } };
    const id = await create(h, serviceBody('web', ports));
    const res = await h.request('POST', '/services/create', serviceBody('web2', ports));
    assert.equal(res.statusCode, 400);
    assert.deepEqual(json(res), {
      message: `rpc error: code = InvalidArgument desc = port '8080' is already in use by service 'web' (${id}) as an ingress port`,
    });
  } finally {
    await h.close();
  }
});

test('list with filters and status; inspect by ID, name or prefix, with defaults', async () => {
  const h = await startHarness();
  try {
    const web = await create(h, serviceBody('web', { Labels: { tier: 'front' } }));
    const api = await create(h, serviceBody('api', { Mode: { Global: {} } }));
    await seedTasks(h.store(), web, 2, 'running');
    const names = async (query: string): Promise<string[]> => {
      const res = await h.request('GET', `/services${query}`);
      assert.equal(res.statusCode, 200, query);
      return json<ServiceJson[]>(res)
        .map((s) => s.Spec.Name)
        .sort();
    };
    const f = (x: unknown): string => `?filters=${encodeURIComponent(JSON.stringify(x))}`;
    const table: [string, string[]][] = [
      ['', ['api', 'web']],
      [f({ name: { we: true } }), ['web']],
      [f({ id: { [api.slice(0, 4)]: true } }), ['api']],
      [f({ label: { 'tier=front': true } }), ['web']],
      [f({ label: ['tier'] }), ['web']],
      [f({ mode: { global: true } }), ['api']],
      [f({ mode: { 'replicated-job': true } }), []],
    ];
    for (const [query, want] of table) assert.deepEqual(await names(query), want, query);
    const bad = await h.request('GET', `/services${f({ colour: { red: true } })}`);
    assert.equal(bad.statusCode, 400);
    assert.deepEqual(json(bad), { message: "invalid filter 'colour'" });
    assert.equal((await h.request('GET', '/services?status=maybe')).statusCode, 400);

    const listed = json<ServiceJson[]>(
      await h.request('GET', `/services?status=true${f({ name: { web: true } }).replace('?', '&')}`),
    );
    assert.deepEqual(listed[0]?.ServiceStatus, { RunningTasks: 2, DesiredTasks: 2, CompletedTasks: 0 });
    assert.equal(json<ServiceJson[]>(await h.request('GET', '/services'))[0]?.ServiceStatus, undefined);

    for (const ref of [web, 'web', 'WEB', web.slice(0, 6)])
      assert.equal((await inspect(h, ref)).ID, web, ref);
    const plain = await inspect(h, 'web');
    assert.equal(plain.Spec['UpdateConfig'], undefined);
    const withDefaults = await inspect(h, 'web', '?insertDefaults=true');
    assert.deepEqual(withDefaults.Spec['UpdateConfig'], {
      Parallelism: 1,
      FailureAction: 'pause',
      Monitor: 5_000_000_000,
      MaxFailureRatio: 0,
      Order: 'stop-first',
    });
    assert.equal(withDefaults.Spec.TaskTemplate.ContainerSpec['StopGracePeriod'], 10_000_000_000);
    assert.deepEqual(withDefaults.Spec['EndpointSpec'], { Mode: 'vip' });
    const missing = await h.request('GET', '/services/nope');
    assert.equal(missing.statusCode, 404);
    assert.deepEqual(json(missing), { message: 'service nope not found' });
    assert.equal((await h.request('GET', '/services/web?insertDefaults=perhaps')).statusCode, 400);
  } finally {
    await h.close();
  }
});

test('update: new spec with the read version, stale versions, rollback to the previous spec', async () => {
  const h = await startHarness();
  try {
    const id = await create(h, serviceBody('web'));
    const v1 = await inspect(h, id);
    const scaled = { ...v1.Spec, Mode: { Replicated: { Replicas: 5 } } };
    const ok = await h.request('POST', `/v1.41/services/${id}/update?version=${v1.Version.Index}`, scaled);
    assert.equal(ok.statusCode, 200);
    assert.deepEqual(json(ok), { Warnings: null });
    const v2 = await inspect(h, 'web');
    assert.deepEqual(v2.Spec['Mode'], { Replicated: { Replicas: 5 } });
    assert.deepEqual(v2.PreviousSpec?.['Mode'], { Replicated: { Replicas: 2 } });

    const table: [string, unknown, number, string][] = [
      [
        `/services/web/update?version=${v1.Version.Index}`,
        scaled,
        409,
        'rpc error: code = Unknown desc = update out of sequence',
      ],
      [
        '/services/web/update',
        scaled,
        400,
        'invalid service version \'\': strconv.ParseUint: parsing "": invalid syntax',
      ],
      [
        `/services/web/update?version=${v2.Version.Index}&rollback=sideways`,
        scaled,
        400,
        'unrecognized rollback option sideways',
      ],
      [
        `/services/web/update?version=${v2.Version.Index}&registryAuthFrom=elsewhere`,
        scaled,
        400,
        'unsupported registryAuthFrom value',
      ],
      [
        `/services/web/update?version=${v2.Version.Index}`,
        { ...scaled, Mode: { Global: {} } },
        501,
        'rpc error: code = Unimplemented desc = service mode change is not allowed',
      ],
      [
        `/services/web/update?version=${v2.Version.Index}`,
        { ...scaled, Name: 'web2' },
        501,
        'rpc error: code = Unimplemented desc = renaming services is not supported',
      ],
      [`/services/nope/update?version=1`, scaled, 404, 'service nope not found'],
    ];
    for (const [url, body, status, message] of table) {
      const res = await h.request('POST', url, body);
      assert.equal(res.statusCode, status, url);
      assert.deepEqual(json(res), { message }, url);
    }

    const rolled = await h.request(
      'POST',
      `/services/web/update?version=${v2.Version.Index}&rollback=previous`,
      v2.Spec,
    );
    assert.equal(rolled.statusCode, 200);
    const v3 = await inspect(h, 'web');
    assert.deepEqual(v3.Spec['Mode'], { Replicated: { Replicas: 2 } });
    assert.deepEqual(v3.PreviousSpec?.['Mode'], { Replicated: { Replicas: 5 } });
    assert.equal(v3.UpdateStatus?.State, 'rollback_started');
    assert.equal(v3.UpdateStatus?.Message, 'manually requested rollback');

    const fresh = await create(h, serviceBody('fresh'));
    const f1 = await inspect(h, fresh);
    const noPrevious = await h.request(
      'POST',
      `/services/fresh/update?version=${f1.Version.Index}&rollback=previous`,
      f1.Spec,
    );
    assert.equal(noPrevious.statusCode, 400);
    assert.deepEqual(json(noPrevious), {
      message: `rpc error: code = FailedPrecondition desc = service ${fresh} does not have a previous spec`,
    });
  } finally {
    await h.close();
  }
});

test('delete removes the service; a second delete is 404', async () => {
  const h = await startHarness();
  try {
    await create(h, serviceBody('web'));
    assert.equal((await h.request('DELETE', '/v1.41/services/web')).statusCode, 200);
    const again = await h.request('DELETE', '/services/web');
    assert.equal(again.statusCode, 404);
    assert.deepEqual(json(again), { message: 'service web not found' });
  } finally {
    await h.close();
  }
});

test('worker and non-swarm nodes answer manager-only routes with 503', async () => {
  const h = await startHarness({ init: false });
  try {
    for (const [method, url] of [
      ['GET', '/services'],
      ['POST', '/services/create'],
      ['GET', '/tasks'],
      ['GET', '/nodes'],
    ] as const) {
      const res = await h.request(method, url, method === 'POST' ? serviceBody('web') : undefined);
      assert.equal(res.statusCode, 503, url);
      assert.match(json<{ message: string }>(res).message, /^This node is not a swarm manager\./);
    }
  } finally {
    await h.close();
  }
});
