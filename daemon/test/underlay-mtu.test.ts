import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import type { NetworkInterfaceInfo } from 'node:os';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import {
  DEFAULT_UNDERLAY_MTU,
  detectUnderlayMtu,
  overlayMtu,
  readNetInterfaces,
  type NetInterface,
} from '../underlay-mtu.js';

const lo: NetInterface = { name: 'lo', addresses: ['127.0.0.1', '::1'], mtu: 65536, internal: true };
const ens3: NetInterface = {
  name: 'ens3',
  addresses: ['192.168.0.106', 'fe80::f816:3eff:fe12:3456'],
  mtu: 1450,
  internal: false,
};
const docker0: NetInterface = { name: 'docker0', addresses: ['172.17.0.1'], mtu: 1500, internal: false };
const jumbo: NetInterface = { name: 'eth1', addresses: ['10.0.0.4'], mtu: 9000, internal: false };

const cases: [string, readonly NetInterface[], string, number][] = [
  ['OpenStack VM: the advertise address is on ens3', [lo, docker0, ens3], '192.168.0.106', 1450],
  ['with the cluster port', [lo, docker0, ens3], '192.168.0.106:2377', 1450],
  ['a second NIC with jumbo frames', [lo, ens3, jumbo], '10.0.0.4:2377', 9000],
  ['IPv6, bracketed with a port', [lo, ens3], '[FE80::F816:3EFF:FE12:3456]:2377', 1450],
  ['IPv6, bare', [lo, ens3], 'fe80::f816:3eff:fe12:3456', 1450],
  [
    'a floating IP not on any interface: the smallest non-loopback MTU',
    [lo, docker0, ens3, jumbo],
    '203.0.113.7',
    1450,
  ],
  ['only loopback: Ethernet default', [lo], '203.0.113.7', DEFAULT_UNDERLAY_MTU],
  ['advertising 127.0.0.1: Ethernet default, not the loopback 65536', [lo, jumbo], '127.0.0.1', 1500],
  ['no interfaces at all', [], '10.0.0.1', DEFAULT_UNDERLAY_MTU],
  [
    'the carrier MTU could not be read: fall back to the others',
    [lo, { ...ens3, mtu: undefined }, docker0],
    '192.168.0.106',
    1500,
  ],
  ['a nonsense MTU is ignored', [lo, { ...ens3, mtu: 17 }, jumbo], '192.168.0.106', 9000],
  [
    'an interface without addresses does not count',
    [lo, { ...jumbo, addresses: [], mtu: 1280 }, docker0],
    'x',
    1500,
  ],
];

for (const [name, interfaces, addr, want] of cases) {
  test(`detectUnderlayMtu: ${name}`, () => {
    assert.equal(detectUnderlayMtu(interfaces, addr), want);
  });
}

test('overlayMtu leaves room for VXLAN: 1450 gives 1400, 1500 gives 1450', () => {
  assert.equal(overlayMtu(1450), 1400);
  assert.equal(overlayMtu(1500), 1450);
  assert.equal(overlayMtu(65536), 1450, 'never past what a VXLAN device accepts');
});

test('readNetInterfaces takes addresses from os.networkInterfaces and MTUs from sysfs', async () => {
  const sys = await mkdtemp(join(tmpdir(), 'shoal-sysfs-'));
  try {
    await mkdir(join(sys, 'ens3'));
    await writeFile(join(sys, 'ens3', 'mtu'), '1450\n');
    await mkdir(join(sys, 'lo'));
    await writeFile(join(sys, 'lo', 'mtu'), '65536\n');
    const info = (address: string, internal: boolean): NetworkInterfaceInfo => ({
      address,
      netmask: '255.255.255.0',
      family: 'IPv4',
      mac: '00:00:00:00:00:00',
      internal,
      cidr: `${address}/24`,
    });
    const got = await readNetInterfaces(sys, {
      lo: [info('127.0.0.1', true)],
      ens3: [info('192.168.0.106', false)],
      gone: [info('10.9.9.9', false)],
    });
    assert.deepEqual(
      got.sort((a, b) => a.name.localeCompare(b.name)),
      [
        { name: 'ens3', addresses: ['192.168.0.106'], internal: false, mtu: 1450 },
        { name: 'gone', addresses: ['10.9.9.9'], internal: false, mtu: undefined },
        { name: 'lo', addresses: ['127.0.0.1'], internal: true, mtu: 65536 },
      ],
    );
    assert.equal(detectUnderlayMtu(got, '192.168.0.106:2377'), 1450);
  } finally {
    await rm(sys, { recursive: true, force: true });
  }
});
