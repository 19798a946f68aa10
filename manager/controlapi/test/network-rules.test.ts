import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createLocalStore, type NetworkSpec } from '../../store/index.js';
import { newNetwork, newService, newTask, taskSpec } from '../../store/test/fixtures.js';
import {
  checkPruneRequest,
  createNetwork,
  pruneNetworks,
  PREDEFINED_LABEL,
  removeNetwork,
  type CreateNetworkRequest,
} from '../index.js';

function request(
  change: Partial<NetworkSpec> = {},
  extra: Partial<CreateNetworkRequest> = {},
): CreateNetworkRequest {
  return {
    id: 'n1',
    spec: {
      name: 'backend',
      labels: {},
      driverConfig: { name: 'overlay', options: {} },
      ipv6Enabled: false,
      internal: false,
      attachable: false,
      ingress: false,
      ...change,
    },
    scope: '',
    configOnly: false,
    configFrom: '',
    hasAuxiliaryAddresses: false,
    ...extra,
  };
}

test('createNetwork: limits on every field of the spec, then dockerd and swarmkit rules', () => {
  const s = createLocalStore();
  const ipam = (n: number, subnet = '10.9.0.0/24'): NonNullable<NetworkSpec['ipam']> => ({
    driver: { name: 'default', options: {} },
    configs: Array.from({ length: n }, () => ({ subnet })),
  });
  const cases: [string, CreateNetworkRequest, number, RegExp][] = [
    ['a long name', request({ name: 'n'.repeat(2000) }), 400, /Name is 2000 bytes/],
    ['a 64-character name', request({ name: 'n'.repeat(64) }), 400, /name must be 63 characters or fewer/],
    [
      'many labels',
      request({ labels: Object.fromEntries(Array.from({ length: 1001 }, (_, i) => [`l${i}`, ''])) }),
      400,
      /Labels has 1001 entries/,
    ],
    [
      'many options',
      request({
        driverConfig: {
          name: 'overlay',
          options: Object.fromEntries(Array.from({ length: 257 }, (_, i) => [`o${i}`, ''])),
        },
      }),
      400,
      /Options has 257 entries/,
    ],
    [
      'a long driver',
      request({ driverConfig: { name: 'd'.repeat(2000), options: {} } }),
      400,
      /Driver is 2000 bytes/,
    ],
    ['many subnets', request({ ipam: ipam(65) }), 400, /IPAM: Config has 65 entries/],
    ['a long subnet', request({ ipam: ipam(1, '1'.repeat(100)) }), 400, /IPAM: Config: Subnet is 100 bytes/],
    [
      'a 300 KB spec',
      request({
        labels: Object.fromEntries(Array.from({ length: 10 }, (_, i) => [`l${i}`, 'x'.repeat(30_000)])),
      }),
      400,
      /network spec is \d+ bytes/,
    ],
    [
      'a predefined name',
      request({ name: 'host' }),
      403,
      /^host is a pre-defined network and cannot be created$/,
    ],
    [
      'another driver',
      request({ driverConfig: { name: 'bridge', options: {} } }),
      400,
      /network driver "bridge" is not supported/,
    ],
    [
      'a local scope',
      request({}, { scope: 'local' }),
      403,
      /cannot downgrade network scope for overlay networks/,
    ],
    ['config-only', request({}, { configOnly: true }), 400, /config-only networks/],
    [
      'an attachable ingress',
      request({ ingress: true, attachable: true }),
      400,
      /InvalidArgument desc = ingress network cannot be attachable/,
    ],
    [
      'the predefined label',
      request({ labels: { 'com.docker.swarm.predefined': 'true' } }),
      403,
      /PermissionDenied desc = label com.docker.swarm.predefined/,
    ],
    ['auxiliary addresses', request({}, { hasAuxiliaryAddresses: true }), 400, /auxiliary addresses/],
  ];
  for (const [what, req, status, message] of cases) {
    const d = s.view((tx) => createNetwork(tx, req));
    assert.ok('refusal' in d, what);
    assert.equal(d.refusal.statusCode, status, what);
    assert.match(d.refusal.message, message, what);
  }
  const ok = s.view((tx) => createNetwork(tx, request()));
  assert.ok('writes' in ok && ok.writes.length === 1 && ok.writes[0]?.op === 'create');
});

test('pruneNetworks: unused networks the filters pick; never ingress, predefined or in use; no until', async () => {
  const s = createLocalStore();
  await s.update((tx) => {
    tx.create('networks', {
      ...newNetwork('ing', 'ingress'),
      spec: { ...newNetwork('ing', 'ingress').spec, ingress: true },
    });
    tx.create('networks', {
      ...newNetwork('pre', 'predefined'),
      spec: { ...newNetwork('pre', 'predefined').spec, labels: { [PREDEFINED_LABEL]: 'true' } },
    });
    tx.create('networks', newNetwork('used', 'used'));
    tx.create('networks', newNetwork('idle', 'idle'));
    tx.create('networks', newNetwork('kept', 'kept'));
    const svc = newService('s1', 'web');
    tx.create('services', {
      ...svc,
      spec: {
        ...svc.spec,
        taskTemplate: { ...taskSpec(), networks: [{ target: 'used', aliases: [], driverOpts: {} }] },
      },
    });
  });
  const d = s.view((tx) => pruneNetworks(tx, { selected: (n) => n.id !== 'kept', until: [] }));
  assert.deepEqual(d, { writes: [{ op: 'delete', table: 'networks', id: 'idle' }] });
  const until = s.view((tx) => pruneNetworks(tx, { selected: () => true, until: ['24h'] }));
  assert.ok('refusal' in until);
  assert.equal(until.refusal.statusCode, 400);
  assert.equal(until.refusal.message, 'the until filter of network prune is not supported yet');
  assert.throws(() => checkPruneRequest({ until: ['1h'] }), /until filter of network prune is not supported/);
  assert.doesNotThrow(() => checkPruneRequest({ until: [] }));
});

test('removeNetwork: the services on it and the running tasks of live services hold it', async () => {
  const s = createLocalStore();
  const onNet = (t: ReturnType<typeof newTask>, state: 'running' | 'shutdown' = 'running') => ({
    ...t,
    status: { ...t.status, state },
    networksAttachments: [{ networkId: 'net', addresses: ['10.0.1.3/24'], aliases: [] }],
  });
  await s.update((tx) => {
    tx.create('networks', newNetwork('net', 'backend'));
    const web = newService('web', 'web');
    web.spec.taskTemplate.networks = [{ target: 'net', aliases: [], driverOpts: {} }];
    tx.create('services', web);
    tx.create('tasks', onNet(newTask('t1', 'web', 1, 'n1')));
  });
  const refusal = (): string | undefined =>
    s.view((tx) => {
      const d = removeNetwork(tx, 'net');
      return 'refusal' in d ? d.refusal.message : undefined;
    });
  assert.match(refusal() ?? '', /network net is in use by service web$/);

  // `docker stack rm`: the service goes, then at once its network. The service's task still runs
  // (the reaper has not marked it yet) but is on its way out: it no longer holds the network.
  await s.update((tx) => tx.delete('services', 'web'));
  assert.equal(refusal(), undefined);

  // A live service that left the network in an update: its old task, still running, holds it;
  // stopped, not.
  await s.update((tx) => {
    tx.create('services', newService('api', 'api'));
    tx.create('tasks', onNet(newTask('a1', 'api', 1, 'n1')));
  });
  assert.match(refusal() ?? '', /network net is in use by task a1$/);
  await s.update((tx) => {
    const a1 = tx.get('tasks', 'a1');
    if (a1 !== undefined) tx.update('tasks', { ...a1, status: { ...a1.status, state: 'shutdown' } });
  });
  assert.equal(refusal(), undefined);
});
