import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { NetworkLookup } from '../endpoint-plan.js';
import { planEndpoint } from '../endpoint-plan.js';
import { EncryptedNetworkError, PoolOverlapError, UnsupportedNetworkError } from '../errors.js';
import { AllocationLedger, ownerOfTask, ownerOfVip } from '../ledger.js';
import { isNetworkAllocated, planNetwork } from '../network-plan.js';
import { planNode } from '../node-plan.js';
import { planTask, releaseTask } from '../task-plan.js';
import { VXLANID_OPTION } from '../vni.js';
import { network, published, service, task } from './objects.js';
import { newNode } from '../../store/test/fixtures.js';
import type { Network, Node } from '../../../api/objects/index.js';

/** A ledger with the ingress network (10.0.0.0/24) and `ids` allocated in order. */
function allocated(...ids: string[]): { ledger: AllocationLedger; networks: Network[] } {
  const ledger = new AllocationLedger();
  const networks: Network[] = [];
  for (const id of ['ingress', ...ids]) {
    const n = network(id, (x) => (x.spec.ingress = id === 'ingress'));
    const a = planNetwork(ledger, n, networks);
    networks.push({ ...n, ...a });
  }
  return { ledger, networks };
}

const lookup = (networks: Network[], ingressId: string | undefined = 'ingress'): NetworkLookup => ({
  ingressId,
  exists: (id) => networks.some((n) => n.id === id),
});

test('networks get subnets from the default pool, in order, and VNIs from 4096', () => {
  const { networks } = allocated('a', 'b');
  assert.deepEqual(
    networks.map((n) => [n.id, n.ipam?.configs, n.driverState?.options[VXLANID_OPTION]]),
    [
      ['ingress', [{ subnet: '10.0.0.0/24', gateway: '10.0.0.1' }], '4096'],
      ['a', [{ subnet: '10.0.1.0/24', gateway: '10.0.1.1' }], '4097'],
      ['b', [{ subnet: '10.0.2.0/24', gateway: '10.0.2.1' }], '4098'],
    ],
  );
  assert.equal(networks[1]!.driverState?.name, 'overlay');
});

test("a user's subnet is kept, the pool skips it, and an overlapping one is refused", () => {
  const ledger = new AllocationLedger();
  const user = network(
    'u',
    (n) => (n.spec.ipam = { configs: [{ subnet: '10.0.0.0/23', range: '10.0.1.0/24' }] }),
  );
  const other = network('o');
  // `other` is allocated first but must not take the user's (not yet allocated) subnet.
  const a = planNetwork(ledger, other, [user, other]);
  assert.deepEqual(a.ipam.configs, [{ subnet: '10.0.2.0/24', gateway: '10.0.2.1' }]);
  const b = planNetwork(ledger, user, [user, { ...other, ...a }]);
  assert.deepEqual(b.ipam.configs, [{ subnet: '10.0.0.0/23', range: '10.0.1.0/24', gateway: '10.0.1.0' }]);
  const clash = network('c', (n) => (n.spec.ipam = { configs: [{ subnet: '10.0.2.128/25' }] }));
  assert.throws(() => planNetwork(ledger, clash, [{ ...other, ...a }, clash]), PoolOverlapError);
});

test('specs the allocator cannot build are refused', () => {
  const ledger = new AllocationLedger();
  const cases: [(n: Network) => void, new (...a: never[]) => Error, string][] = [
    [
      (n) => (n.spec.driverConfig = { name: 'overlay', options: { encrypted: '' } }),
      EncryptedNetworkError,
      'encrypted overlay networks are not supported yet',
    ],
    [
      (n) => (n.spec.driverConfig = { name: 'bridge', options: {} }),
      UnsupportedNetworkError,
      'network driver "bridge" is not supported: use "overlay"',
    ],
    [
      (n) => (n.spec.ipv6Enabled = true),
      UnsupportedNetworkError,
      'IPv6 overlay networks are not supported yet',
    ],
    [
      (n) => (n.spec.ipam = { configs: [{ subnet: '10.5.0.0/24' }, { subnet: '10.6.0.0/24' }] }),
      UnsupportedNetworkError,
      'a network can have only one subnet: give --subnet once',
    ],
  ];
  for (const [change, kind, message] of cases) {
    const n = network('x', change);
    assert.throws(
      () => planNetwork(ledger, n, [n]),
      (e: unknown) => e instanceof kind && e.message === message,
    );
  }
  assert.equal(ledger.subnets().length, 0, 'nothing recorded for refused networks');
});

test('isNetworkAllocated compares the record with the ledger', () => {
  const { ledger, networks } = allocated('a');
  assert.ok(isNetworkAllocated(ledger, networks[1]!));
  assert.ok(!isNetworkAllocated(ledger, network('a')));
  assert.ok(!isNetworkAllocated(new AllocationLedger(), networks[1]!));
});

test('service endpoints: a VIP per network (ingress first when publishing), ports numbered', () => {
  const { ledger, networks } = allocated('a', 'b');
  const cases: { name: string; s: ReturnType<typeof service>; vips: [string, string][]; ports: number[] }[] =
    [
      { name: 'no networks, no ports', s: service('s0'), vips: [], ports: [] },
      { name: 'one network', s: service('s1', ['a']), vips: [['a', '10.0.1.2/24']], ports: [] },
      {
        name: 'two networks',
        s: service('s2', ['a', 'b']),
        vips: [
          ['a', '10.0.1.3/24'],
          ['b', '10.0.2.2/24'],
        ],
        ports: [],
      },
      {
        name: 'published through the mesh',
        s: service('s3', ['a'], [published(80, 8080), published(443)]),
        vips: [
          ['ingress', '10.0.0.2/24'],
          ['a', '10.0.1.4/24'],
        ],
        ports: [8080, 30000],
      },
      { name: 'dnsrr: no VIP', s: service('s4', ['a'], [], 'dnsrr'), vips: [], ports: [] },
    ];
  for (const c of cases) {
    const plan = planEndpoint(ledger, c.s, lookup(networks));
    assert.equal(plan.kind, 'ready', c.name);
    if (plan.kind !== 'ready') continue;
    assert.deepEqual(
      (plan.endpoint?.virtualIPs ?? []).map((v) => [v.networkId, v.addr]),
      c.vips,
      c.name,
    );
    assert.deepEqual(
      (plan.endpoint?.ports ?? []).map((p) => p.publishedPort),
      c.ports,
      c.name,
    );
  }
  assert.equal(
    planEndpoint(ledger, service('s0'), lookup(networks)).kind === 'ready' &&
      (planEndpoint(ledger, service('s0'), lookup(networks)) as { endpoint: unknown }).endpoint,
    undefined,
    'a service with no networks and no endpoint spec needs no endpoint',
  );
});

test('re-planning an allocated endpoint changes nothing; dropped networks are returned for release', () => {
  const { ledger, networks } = allocated('a', 'b');
  const s = service('s', ['a', 'b'], [published(80)]);
  const first = planEndpoint(ledger, s, lookup(networks));
  assert.equal(first.kind, 'ready');
  if (first.kind !== 'ready') return;
  const stored = { ...s, endpoint: first.endpoint! };
  const again = planEndpoint(ledger, stored, lookup(networks));
  assert.deepEqual(again, {
    kind: 'ready',
    endpoint: first.endpoint,
    releaseAddresses: [],
    releasePorts: [],
  });
  // The service leaves network b and stops publishing.
  const changed = { ...stored, spec: structuredClone(stored.spec) };
  changed.spec.taskTemplate.networks = changed.spec.taskTemplate.networks.filter((n) => n.target === 'a');
  changed.spec.endpointSpec = { mode: 'vip', ports: [] };
  const next = planEndpoint(ledger, changed, lookup(networks));
  assert.equal(next.kind, 'ready');
  if (next.kind !== 'ready') return;
  assert.deepEqual(next.endpoint?.virtualIPs, [{ networkId: 'a', addr: '10.0.1.2/24' }]);
  assert.deepEqual(
    next.releaseAddresses.map((r) => [r.networkId, r.address, r.owner]),
    [
      ['ingress', '10.0.0.2/24', ownerOfVip('s')],
      ['b', '10.0.2.2/24', ownerOfVip('s')],
    ],
  );
  assert.deepEqual(next.releasePorts, [{ protocol: 'tcp', port: 30000 }]);
});

test('a service on a network not yet allocated waits', () => {
  const { ledger, networks } = allocated();
  const pending = network('p');
  const plan = planEndpoint(ledger, service('s', ['p']), lookup([...networks, pending]));
  assert.deepEqual(plan, { kind: 'waiting', networkId: 'p' });
  // A network that no longer exists is ignored.
  const gone = planEndpoint(ledger, service('s', ['gone']), lookup(networks));
  assert.equal(gone.kind, 'ready');
});

test('task attachments: ingress first when publishing, then the spec networks with aliases', () => {
  const { ledger, networks } = allocated('a', 'b');
  const s = service('s', ['a', 'b'], [published(80)]);
  s.spec.taskTemplate.networks[1]!.aliases = ['db'];
  const plan = planTask(ledger, task('t1', s), s, lookup(networks));
  assert.deepEqual(plan, {
    kind: 'ready',
    attachments: [
      { networkId: 'ingress', addresses: ['10.0.0.2/24'], aliases: [] },
      { networkId: 'a', addresses: ['10.0.1.2/24'], aliases: [] },
      { networkId: 'b', addresses: ['10.0.2.2/24'], aliases: ['db'] },
    ],
  });
  const plain = service('p');
  assert.deepEqual(planTask(ledger, task('t2', plain), plain, lookup(networks)), {
    kind: 'ready',
    attachments: [],
  });
});

test('a task keeps the addresses it records and releases them when it goes', () => {
  const { ledger, networks } = allocated('a');
  const s = service('s', ['a']);
  const t = task(
    't1',
    s,
    (x) => (x.networksAttachments = [{ networkId: 'a', addresses: ['10.0.1.9/24'], aliases: [] }]),
  );
  const plan = planTask(ledger, t, s, lookup(networks));
  assert.deepEqual(plan, {
    kind: 'ready',
    attachments: [{ networkId: 'a', addresses: ['10.0.1.9/24'], aliases: [] }],
  });
  assert.equal(ledger.network('a')!.pool.ownerOf(0x0a000109), ownerOfTask('t1'));
  assert.equal(releaseTask(ledger, t), 1);
  assert.equal(ledger.network('a')!.pool.used, 0);
});

test('a task whose network is full fails and holds nothing', () => {
  const ledger = new AllocationLedger();
  const small = network('small', (n) => (n.spec.ipam = { configs: [{ subnet: '192.168.9.0/30' }] }));
  const other = network('other');
  planNetwork(ledger, small, [small]);
  planNetwork(ledger, other, [small, other]);
  const s = service('s', ['other', 'small']);
  const networks = [small, other];
  assert.equal(planTask(ledger, task('t1', s), s, lookup(networks, undefined)).kind, 'ready');
  assert.throws(
    () => planTask(ledger, task('t2', s), s, lookup(networks, undefined)),
    /no available IPv4 addresses/,
  );
  assert.equal(ledger.network('other')!.pool.used, 1, 't2 left no address on the other network');
});

test('nodes get an ingress sandbox address; attachments to removed networks go', () => {
  const { ledger, networks } = allocated();
  const node: Node = { ...newNode('n1'), meta: { version: 1, createdAt: '', updatedAt: '' } };
  const exists = (id: string): boolean => networks.some((n) => n.id === id);
  assert.deepEqual(planNode(ledger, node, 'ingress', exists), [
    { networkId: 'ingress', addresses: ['10.0.0.2/24'] },
  ]);
  const recorded = {
    ...node,
    attachments: [
      { networkId: 'ingress', addresses: ['10.0.0.2/24'] },
      { networkId: 'gone', addresses: ['10.9.0.2/24'] },
    ],
  };
  assert.deepEqual(planNode(ledger, recorded, 'ingress', exists), [
    { networkId: 'ingress', addresses: ['10.0.0.2/24'] },
  ]);
  assert.deepEqual(planNode(ledger, node, undefined, exists), []);
});
