import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { IPAMConfig, Network } from '../../../api/objects/index.js';
import { InvalidIpamConfigError, PoolOverlapError } from '../errors.js';
import { checkNoOverlap, ipamConfigOf, parseIpamConfig, subnetsOf } from '../ipam-config.js';
import { formatCidr, formatIPv4 } from '../../../api/network/ipv4.js';

test('valid configs get their defaults', () => {
  const cases: [IPAMConfig, IPAMConfig][] = [
    [{ subnet: '10.10.0.0/16' }, { subnet: '10.10.0.0/16', gateway: '10.10.0.1' }],
    [{ subnet: '10.10.0.5/16' }, { subnet: '10.10.0.0/16', gateway: '10.10.0.1' }],
    [
      { subnet: '10.10.0.0/16', gateway: '10.10.255.254' },
      { subnet: '10.10.0.0/16', gateway: '10.10.255.254' },
    ],
    [
      { subnet: '192.168.5.0/24', range: '192.168.5.128/25' },
      { subnet: '192.168.5.0/24', range: '192.168.5.128/25', gateway: '192.168.5.128' },
    ],
    [
      { subnet: '192.168.5.0/24', range: '192.168.5.0/25', gateway: '192.168.5.200' },
      { subnet: '192.168.5.0/24', range: '192.168.5.0/25', gateway: '192.168.5.200' },
    ],
  ];
  for (const [input, want] of cases) {
    assert.deepEqual(ipamConfigOf(parseIpamConfig(input)), want, JSON.stringify(input));
  }
  const a = parseIpamConfig({ subnet: '10.10.0.0/16' });
  assert.equal(formatCidr(a.range), '10.10.0.0/16');
  assert.equal(formatIPv4(a.gateway), '10.10.0.1');
});

test("invalid configs are refused with swarmkit's messages", () => {
  const cases: [IPAMConfig, string][] = [
    [{ subnet: 'foo' }, 'ipam configuration: invalid subnet foo'],
    [{ subnet: '' }, 'ipam configuration: invalid subnet '],
    [{ subnet: '10.0.0.0/24', range: 'bar' }, 'ipam configuration: invalid range bar'],
    [
      { subnet: '10.0.0.0/24', range: '10.0.1.0/25' },
      'ipam configuration: subnet 10.0.0.0/24 does not contain range 10.0.1.0/25',
    ],
    [
      { subnet: '10.0.0.0/24', range: '10.0.0.0/23' },
      'ipam configuration: subnet 10.0.0.0/24 does not contain range 10.0.0.0/23',
    ],
    [{ subnet: '10.0.0.0/24', gateway: 'x' }, 'ipam configuration: invalid gateway x'],
    [
      { subnet: '10.0.0.0/24', gateway: '10.0.1.1' },
      'ipam configuration: subnet 10.0.0.0/24 does not contain gateway 10.0.1.1',
    ],
    [
      { subnet: '10.0.0.0/24', gateway: '10.0.0.255' },
      'ipam configuration: gateway 10.0.0.255 is the network or broadcast address of subnet 10.0.0.0/24',
    ],
    [{ subnet: '10.0.0.0/31' }, 'ipam configuration: subnet 10.0.0.0/31 is too small: use a /30 or larger'],
    [{ subnet: 'fd00::/64' }, 'ipam configuration: IPv6 subnets are not supported yet: fd00::/64'],
  ];
  for (const [input, message] of cases) {
    assert.throws(
      () => parseIpamConfig(input),
      (e: unknown) => {
        assert.ok(e instanceof InvalidIpamConfigError);
        assert.equal(e.message, message);
        assert.equal(e.code, 'INVALID_IPAM_CONFIG');
        return true;
      },
    );
  }
});

function net(name: string, spec?: string, allocated?: string): Network {
  return {
    id: `id-${name}`,
    meta: { version: 1, createdAt: '', updatedAt: '' },
    spec: {
      name,
      labels: {},
      ipv6Enabled: false,
      internal: false,
      attachable: false,
      ingress: false,
      ...(spec === undefined ? {} : { ipam: { configs: [{ subnet: spec }] } }),
    },
    ...(allocated === undefined ? {} : { ipam: { configs: [{ subnet: allocated, gateway: '' }] } }),
    pendingDelete: false,
  };
}

test('subnetsOf prefers the allocation, else the spec', () => {
  assert.deepEqual(subnetsOf(net('a', '10.1.0.0/16', '10.1.0.0/16')).map(formatCidr), ['10.1.0.0/16']);
  assert.deepEqual(subnetsOf(net('b', '10.2.0.0/16')).map(formatCidr), ['10.2.0.0/16']);
  assert.deepEqual(subnetsOf(net('c', undefined, '10.0.3.0/24')).map(formatCidr), ['10.0.3.0/24']);
  assert.deepEqual(subnetsOf(net('d')), []);
});

test("overlapping subnets are refused with libnetwork's message", () => {
  const others = [net('ingress', undefined, '10.0.0.0/24'), net('user', '172.20.0.0/16')];
  const cases: [string, string | undefined][] = [
    ['10.0.0.0/24', 'ingress'],
    ['10.0.0.0/16', 'ingress'],
    ['10.0.0.128/25', 'ingress'],
    ['172.20.5.0/24', 'user'],
    ['10.0.1.0/24', undefined],
    ['192.168.0.0/16', undefined],
  ];
  for (const [subnet, clash] of cases) {
    const cidr = parseIpamConfig({ subnet }).subnet;
    if (clash === undefined) {
      assert.doesNotThrow(() => checkNoOverlap(cidr, others), subnet);
      continue;
    }
    assert.throws(
      () => checkNoOverlap(cidr, others),
      (e: unknown) => {
        assert.ok(e instanceof PoolOverlapError);
        assert.equal(e.message, 'Pool overlaps with other one on this address space');
        assert.equal(e.otherNetwork, clash);
        return true;
      },
    );
  }
});
