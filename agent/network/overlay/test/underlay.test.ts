import assert from 'node:assert/strict';
import { test } from 'node:test';
import { detectUnderlay, gatewayMtu, overlayMtu } from '../underlay.js';

// What `ip -j -4 addr show` prints on a host with a loopback, a 1450 tenant NIC and a jumbo NIC.
const links = [
  {
    ifname: 'lo',
    flags: ['LOOPBACK', 'UP', 'LOWER_UP'],
    mtu: 65536,
    link_type: 'loopback',
    addr_info: [{ family: 'inet', local: '127.0.0.1', prefixlen: 8 }],
  },
  {
    ifname: 'ens3',
    flags: ['BROADCAST', 'MULTICAST', 'UP', 'LOWER_UP'],
    mtu: 1450,
    link_type: 'ether',
    addr_info: [{ family: 'inet', local: '192.168.0.106', prefixlen: 24 }],
  },
  {
    ifname: 'eth1',
    flags: ['BROADCAST', 'MULTICAST', 'UP', 'LOWER_UP'],
    mtu: 9000,
    link_type: 'ether',
    addr_info: [{ family: 'inet', local: '10.0.0.4', prefixlen: 24 }],
  },
];
const ip = { ipJson: () => Promise.resolve(links) };

const cases: [string, string, number][] = [
  ['a tenant network at 1450 leaves 1400', '192.168.0.106', 1400],
  ['jumbo frames leave 8950', '10.0.0.4', 8950],
  ['advertising 127.0.0.1: 1450, not the loopback 65536 (past the VXLAN maximum)', '127.0.0.1', 1450],
];

for (const [name, address, want] of cases) {
  test(`overlay MTU: ${name}`, async () => {
    assert.equal(overlayMtu(await detectUnderlay(ip, address)), want);
  });
}

test('overlay MTU: an underlay past what a VXLAN device accepts gets the Ethernet default', () => {
  assert.equal(overlayMtu({ address: '10.0.0.1', iface: 'big', mtu: 65535 }), 65485);
  assert.equal(overlayMtu({ address: '10.0.0.1', iface: 'big', mtu: 65536 }), 1450);
  assert.equal(overlayMtu({ address: '10.0.0.1', iface: 'dummy', mtu: 1500, loopback: false }), 1450);
});

test('gateway bridge MTU: the underlay own, Ethernet default over a loopback or past 65535', async () => {
  assert.equal(gatewayMtu(await detectUnderlay(ip, '192.168.0.106')), 1450);
  assert.equal(gatewayMtu(await detectUnderlay(ip, '10.0.0.4')), 9000);
  assert.equal(gatewayMtu(await detectUnderlay(ip, '127.0.0.1')), 1500);
  assert.equal(gatewayMtu({ address: '10.0.0.1', iface: 'big', mtu: 65536 }), 1500);
});
