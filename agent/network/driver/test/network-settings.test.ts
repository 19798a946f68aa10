import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DriverError } from '../errors.js';
import { networkSettings } from '../network-settings.js';
import type { PluginCreateNetworkRequest } from '../protocol.js';

function request(
  generic: Record<string, unknown>,
  extra: Record<string, unknown> = {},
): PluginCreateNetworkRequest {
  return {
    NetworkID: 'd0cker1d',
    Options: { 'com.docker.network.enable_ipv6': false, 'com.docker.network.generic': generic, ...extra },
    IPv4Data: [{ AddressSpace: 'LocalDefault', Pool: '10.0.1.0/24', Gateway: '10.0.1.1/24' }],
    IPv6Data: [],
  };
}

test('an overlay network: cluster ID, VNI, subnet and gateway from the request', () => {
  const n = networkSettings(request({ 'io.shoal.network.id': 'net1', 'io.shoal.network.vni': '4097' }));
  assert.deepEqual(n, {
    kind: 'overlay',
    dockerId: 'd0cker1d',
    subnet: '10.0.1.0/24',
    gateway: '10.0.1.1',
    clusterId: 'net1',
    vni: 4097,
    internal: false,
  });
});

test('internal from shoal’s option or from the engine’s own flag', () => {
  const base = { 'io.shoal.network.id': 'net1', 'io.shoal.network.vni': '4097' };
  const a = networkSettings(request({ ...base, 'io.shoal.network.internal': 'true' }));
  const b = networkSettings(request(base, { 'com.docker.network.internal': true }));
  assert.equal(a.kind === 'overlay' && a.internal, true);
  assert.equal(b.kind === 'overlay' && b.internal, true);
});

test("the MTU the user chose, under Docker's own option", () => {
  const n = networkSettings(
    request({
      'io.shoal.network.id': 'net1',
      'io.shoal.network.vni': '4097',
      'com.docker.network.driver.mtu': '1300',
    }),
  );
  assert.equal(n.kind === 'overlay' && n.mtu, 1300);
  assert.throws(
    () =>
      networkSettings(
        request({
          'io.shoal.network.id': 'n',
          'io.shoal.network.vni': '1',
          'com.docker.network.driver.mtu': '9x',
        }),
      ),
    (e: unknown) => e instanceof DriverError && e.code === 'DRIVER_BAD_REQUEST',
  );
});

test("the cluster's data path port, from shoal's option; a port out of range is refused", () => {
  const base = { 'io.shoal.network.id': 'net1', 'io.shoal.network.vni': '4097' };
  const n = networkSettings(request({ ...base, 'io.shoal.network.data-path-port': '7789' }));
  assert.equal(n.kind === 'overlay' && n.dataPathPort, 7789);
  const plain = networkSettings(request(base));
  assert.equal(plain.kind === 'overlay' && plain.dataPathPort, undefined);
  for (const bad of ['0', '65536', 'x']) {
    assert.throws(
      () => networkSettings(request({ ...base, 'io.shoal.network.data-path-port': bad })),
      (e: unknown) => e instanceof DriverError && e.code === 'DRIVER_BAD_REQUEST',
      bad,
    );
  }
});

test('the gateway network', () => {
  const n = networkSettings({
    NetworkID: 'gw',
    Options: { 'com.docker.network.generic': { 'io.shoal.network.gateway': 'true' } },
    IPv4Data: [{ Pool: '172.18.0.0/16', Gateway: '172.18.0.1/16' }],
  });
  assert.deepEqual(n, { kind: 'gateway', dockerId: 'gw', subnet: '172.18.0.0/16', gateway: '172.18.0.1' });
});

const refused: [string, PluginCreateNetworkRequest, DriverError['code']][] = [
  ['a network shoal did not make', request({}), 'DRIVER_NOT_SHOAL_NETWORK'],
  [
    'a VNI out of range',
    request({ 'io.shoal.network.id': 'n', 'io.shoal.network.vni': '16777216' }),
    'DRIVER_BAD_REQUEST',
  ],
  [
    'a network without IPv4',
    { NetworkID: 'x', Options: { 'com.docker.network.generic': { 'io.shoal.network.gateway': 'true' } } },
    'DRIVER_BAD_REQUEST',
  ],
];
for (const [what, req, code] of refused) {
  test(`refuses ${what}`, () => {
    assert.throws(
      () => networkSettings(req),
      (e: unknown) => e instanceof DriverError && e.code === code,
    );
  });
}
