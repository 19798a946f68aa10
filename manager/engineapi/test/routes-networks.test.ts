// /networks over fastify.inject, with the real allocator loop running on the harness's store.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AllocatorLoop } from '../../allocator/allocator-loop.js';
import { ensureIngressNetwork } from '../../allocator/ingress.js';
import { ManualClock } from '../../../api/clock/manual-clock.js';
import { json, serviceBody, startHarness, type ApiHarness } from './harness.js';
import { newService } from '../../store/test/fixtures.js';
import { checkServiceNetworks } from '../../controlapi/index.js';
import type { DockerNetworkResource } from '../translate/network.js';

const turn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

async function harness(): Promise<ApiHarness & { settle(): Promise<void>; stop(): Promise<void> }> {
  const h = await startHarness();
  await h.store().update((tx) => void ensureIngressNetwork(tx));
  const abort = new AbortController();
  const loop = new AllocatorLoop({ store: h.store(), clock: new ManualClock() });
  const done = loop.run(abort.signal);
  return Object.assign(h, {
    settle: async () => {
      for (let i = 0; i < 5; i++) await turn();
    },
    stop: async () => {
      abort.abort();
      await done;
      await h.close();
    },
  });
}

async function create(h: ApiHarness, body: Record<string, unknown>): Promise<string> {
  const res = await h.request('POST', '/v1.41/networks/create', {
    CheckDuplicate: true,
    Driver: 'overlay',
    ...body,
  });
  assert.equal(res.statusCode, 201, res.body);
  const out = json<{ Id: string; Warning: string }>(res);
  assert.equal(out.Warning, '');
  return out.Id;
}

test('create, inspect (by ID, name, prefix) and the allocation the inspect shows', async () => {
  const h = await harness();
  const id = await create(h, { Name: 'overnet', Labels: { team: 'a' }, Attachable: true });
  await h.settle();
  for (const ref of [id, 'overnet', id.slice(0, 6)]) {
    const res = await h.request('GET', `/networks/${ref}`);
    assert.equal(res.statusCode, 200, ref);
    const n = json<DockerNetworkResource>(res);
    assert.equal(n.Id, id);
    assert.deepEqual(
      { ...n, Created: undefined },
      {
        Name: 'overnet',
        Id: id,
        Created: undefined,
        Scope: 'swarm',
        Driver: 'overlay',
        EnableIPv6: false,
        IPAM: { Driver: 'default', Options: null, Config: [{ Subnet: '10.0.1.0/24', Gateway: '10.0.1.1' }] },
        Internal: false,
        Attachable: true,
        Ingress: false,
        ConfigFrom: { Network: '' },
        ConfigOnly: false,
        Containers: {},
        Options: { 'com.docker.network.driver.overlay.vxlanid_list': '4097' },
        Labels: { team: 'a' },
      },
    );
  }
  const ingress = json<DockerNetworkResource>(await h.request('GET', '/networks/ingress'));
  assert.equal(ingress.Ingress, true);
  assert.deepEqual(ingress.IPAM.Config, [{ Subnet: '10.0.0.0/24', Gateway: '10.0.0.1' }]);
  assert.equal(
    (await h.request('GET', '/networks/nope')).body,
    JSON.stringify({ message: 'network nope not found' }),
  );
  assert.equal((await h.request('GET', `/networks/${id}?scope=local`)).statusCode, 404);
  await h.stop();
});

test('user subnets, ranges and gateways are kept', async () => {
  const h = await harness();
  await create(h, {
    Name: 'backend',
    IPAM: {
      Driver: 'default',
      Config: [{ Subnet: '172.28.0.0/16', IPRange: '172.28.5.0/24', Gateway: '172.28.0.254' }],
    },
    Options: { 'com.docker.network.driver.mtu': '1400' },
  });
  await h.settle();
  const n = json<DockerNetworkResource>(await h.request('GET', '/networks/backend'));
  assert.deepEqual(n.IPAM.Config, [
    { Subnet: '172.28.0.0/16', IPRange: '172.28.5.0/24', Gateway: '172.28.0.254' },
  ]);
  assert.equal(n.Options['com.docker.network.driver.mtu'], '1400');
  await h.stop();
});

test("create refuses what dockerd refuses, with dockerd's messages", async () => {
  const h = await harness();
  await create(h, { Name: 'taken', IPAM: { Config: [{ Subnet: '10.20.0.0/16' }] } });
  const cases: [Record<string, unknown>, number, string][] = [
    [{ Name: 'taken' }, 409, 'network with name taken already exists'],
    [{ Name: 'bridge' }, 403, 'bridge is a pre-defined network and cannot be created'],
    [
      { Name: 'b', Driver: 'bridge' },
      400,
      'network driver "bridge" is not supported: shoal networks are swarm-scoped; use --driver overlay',
    ],
    [{ Name: 'l', Scope: 'local' }, 403, 'cannot downgrade network scope for overlay networks'],
    [{ Name: 'e', Options: { encrypted: '' } }, 400, 'encrypted overlay networks are not supported yet'],
    [{ Name: 'v6', EnableIPv6: true }, 400, 'IPv6 overlay networks are not supported yet'],
    [
      { Name: 'o', IPAM: { Config: [{ Subnet: '10.20.5.0/24' }] } },
      403,
      'Pool overlaps with other one on this address space',
    ],
    [
      { Name: 'i', IPAM: { Config: [{ Subnet: '10.0.0.0/16' }] } },
      403,
      'Pool overlaps with other one on this address space',
    ],
    [
      { Name: 's', IPAM: { Config: [{ Subnet: 'nonsense' }] } },
      400,
      'rpc error: code = InvalidArgument desc = ipam configuration: invalid subnet nonsense',
    ],
    [
      { Name: 'g', IPAM: { Config: [{ Subnet: '10.30.0.0/24', Gateway: '10.31.0.1' }] } },
      400,
      'rpc error: code = InvalidArgument desc = ipam configuration: subnet 10.30.0.0/24 does not contain gateway 10.31.0.1',
    ],
    [
      { Name: 'ing', Ingress: true },
      409,
      'rpc error: code = AlreadyExists desc = ingress network (', // + the ID
    ],
    [
      { Name: 'ing', Ingress: true, Attachable: true },
      400,
      'rpc error: code = InvalidArgument desc = ingress network cannot be attachable',
    ],
    [
      { Name: 'bad name!' },
      400,
      'rpc error: code = InvalidArgument desc = name must be valid as a DNS name component',
    ],
    [{ Name: '' }, 400, 'rpc error: code = InvalidArgument desc = meta: name must be provided'],
    [
      { Name: 'x', Internal: 'yes' },
      400,
      'json: cannot unmarshal string into Go struct field NetworkCreateRequest.Internal of type bool',
    ],
  ];
  for (const [body, status, message] of cases) {
    const res = await h.request('POST', '/networks/create', body);
    assert.equal(res.statusCode, status, `${JSON.stringify(body)}: ${res.body}`);
    assert.ok(
      json<{ message: string }>(res).message.startsWith(message),
      `${JSON.stringify(body)}: ${res.body}`,
    );
  }
  await h.stop();
});

test('list filters', async () => {
  const h = await harness();
  const a = await create(h, { Name: 'front', Labels: { tier: 'web' } });
  await create(h, { Name: 'back', Labels: { tier: 'db', secret: '' } });
  const names = async (filters?: Record<string, string[]>): Promise<string[]> => {
    const q = filters === undefined ? '' : `?filters=${encodeURIComponent(JSON.stringify(filters))}`;
    const res = await h.request('GET', `/networks${q}`);
    assert.equal(res.statusCode, 200, res.body);
    return json<DockerNetworkResource[]>(res)
      .map((n) => n.Name)
      .sort();
  };
  const cases: [Record<string, string[]> | undefined, string[]][] = [
    [undefined, ['back', 'front', 'ingress']],
    [{ name: ['front'] }, ['front']],
    [{ name: ['^b'] }, ['back']],
    [{ id: [a.slice(0, 5)] }, ['front']],
    [{ driver: ['overlay'] }, ['back', 'front', 'ingress']],
    [{ driver: ['bridge'] }, []],
    [{ scope: ['swarm'] }, ['back', 'front', 'ingress']],
    [{ scope: ['local'] }, []],
    [{ label: ['tier=web'] }, ['front']],
    [{ label: ['secret'] }, ['back']],
    [{ type: ['custom'] }, ['back', 'front', 'ingress']],
    [{ type: ['builtin'] }, []],
    [{ dangling: ['true'] }, ['back', 'front', 'ingress']],
  ];
  for (const [filters, want] of cases) assert.deepEqual(await names(filters), want, JSON.stringify(filters));
  const bad = await h.request('GET', `/networks?filters=${encodeURIComponent('{"type":["x"]}')}`);
  assert.equal(bad.statusCode, 400);
  assert.equal(json<{ message: string }>(bad).message, "Invalid filter: 'type'='x'");
  const unknown = await h.request('GET', `/networks?filters=${encodeURIComponent('{"color":["x"]}')}`);
  assert.equal(json<{ message: string }>(unknown).message, "invalid filter 'color'");
  await h.stop();
});

test('services name networks by name (TaskTemplate.Networks or the deprecated Networks); removal in use is refused', async () => {
  const h = await harness();
  const net = await create(h, { Name: 'overnet' });
  const other = await create(h, { Name: 'other' });
  const res = await h.request(
    'POST',
    '/services/create',
    serviceBody('web', {
      TaskTemplate: {
        ContainerSpec: { Image: 'nginx' },
        Networks: [{ Target: 'overnet', Aliases: ['www'] }],
      },
    }),
  );
  assert.equal(res.statusCode, 201, res.body);
  const web = json<{ ID: string }>(res).ID;
  const old = await h.request('POST', '/services/create', {
    ...serviceBody('api'),
    Networks: [{ Target: 'other' }],
  });
  assert.equal(old.statusCode, 201, old.body);
  await h.settle();
  const spec = json<{ Spec: { TaskTemplate: { Networks: unknown } }; Endpoint: { VirtualIPs: unknown } }>(
    await h.request('GET', `/services/${web}`),
  );
  assert.deepEqual(spec.Spec.TaskTemplate.Networks, [{ Target: net, Aliases: ['www'] }]);
  assert.deepEqual(spec.Endpoint.VirtualIPs, [{ NetworkID: net, Addr: '10.0.1.2/24' }]);
  const api = json<{ Spec: { TaskTemplate: { Networks: unknown } } }>(
    await h.request('GET', '/services/api'),
  );
  assert.deepEqual(api.Spec.TaskTemplate.Networks, [{ Target: other }]);
  const missing = await h.request(
    'POST',
    '/services/create',
    serviceBody('lost', {
      TaskTemplate: { ContainerSpec: { Image: 'nginx' }, Networks: [{ Target: 'nope' }] },
    }),
  );
  assert.equal(missing.statusCode, 404);
  assert.equal(json<{ message: string }>(missing).message, 'network nope not found');

  const rm = await h.request('DELETE', '/networks/overnet');
  assert.equal(rm.statusCode, 400);
  assert.equal(
    json<{ message: string }>(rm).message,
    `rpc error: code = FailedPrecondition desc = network ${net} is in use by service ${web}`,
  );
  const dangling = await h.request('GET', `/networks?filters=${encodeURIComponent('{"dangling":["true"]}')}`);
  assert.deepEqual(
    json<DockerNetworkResource[]>(dangling).map((n) => n.Name),
    ['ingress'],
  );
  assert.equal((await h.request('DELETE', `/services/${web}`)).statusCode, 200);
  assert.equal((await h.request('DELETE', '/networks/overnet')).statusCode, 204);
  assert.equal((await h.request('GET', `/networks/${net}`)).statusCode, 404);
  assert.equal((await h.request('DELETE', '/networks/overnet')).statusCode, 404);
  await h.stop();
});

test('the ingress network is removed only when no service publishes through it; prune keeps it', async () => {
  const h = await harness();
  await create(h, { Name: 'unused' });
  const res = await h.request(
    'POST',
    '/services/create',
    serviceBody('pub', { EndpointSpec: { Ports: [{ TargetPort: 80, PublishedPort: 8080 }] } }),
  );
  const pub = json<{ ID: string }>(res).ID;
  const refused = await h.request('DELETE', '/networks/ingress');
  assert.equal(refused.statusCode, 400);
  assert.equal(
    json<{ message: string }>(refused).message,
    `rpc error: code = FailedPrecondition desc = ingress network cannot be removed because service ${pub} depends on it`,
  );
  const pruned = await h.request('POST', '/networks/prune');
  assert.deepEqual(json(pruned), { NetworksDeleted: ['unused'] });
  await h.request('DELETE', `/services/${pub}`);
  assert.equal((await h.request('DELETE', '/networks/ingress')).statusCode, 204);
  await h.stop();
});

test('checkServiceNetworks refuses an explicit ingress attachment', async () => {
  const h = await harness();
  const store = h.store();
  const ingress = json<DockerNetworkResource>(await h.request('GET', '/networks/ingress'));
  const s = newService('s', 's');
  s.spec.taskTemplate.networks = [{ target: ingress.Id, aliases: [], driverOpts: {} }];
  assert.throws(
    () => store.view((tx) => checkServiceNetworks(tx, s.spec)),
    /rpc error: code = InvalidArgument desc = Service cannot be explicitly attached to the ingress network "ingress"/,
  );
  s.spec.taskTemplate.networks = [];
  assert.doesNotThrow(() => store.view((tx) => checkServiceNetworks(tx, s.spec)));
  await h.stop();
});
