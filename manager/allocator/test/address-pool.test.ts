import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AddressPool } from '../address-pool.js';
import { AddressesExhaustedError } from '../errors.js';
import { parseIpamConfig } from '../ipam-config.js';
import { formatIPv4, parseIPv4 } from '../../../api/network/ipv4.js';

function pool(subnet: string, range?: string, gateway?: string): AddressPool {
  return new AddressPool(
    'net1',
    parseIpamConfig({
      subnet,
      ...(range === undefined ? {} : { range }),
      ...(gateway === undefined ? {} : { gateway }),
    }),
  );
}

const take = (p: AddressPool, n: number, owner = 'o'): string[] =>
  Array.from({ length: n }, (_, i) => formatIPv4(p.allocate(`${owner}${i}`)));

test('addresses skip the network, gateway and broadcast addresses', () => {
  const cases: [string, string | undefined, string | undefined, string[]][] = [
    ['10.0.1.0/29', undefined, undefined, ['10.0.1.2', '10.0.1.3', '10.0.1.4', '10.0.1.5', '10.0.1.6']],
    ['10.0.1.0/29', undefined, '10.0.1.4', ['10.0.1.1', '10.0.1.2', '10.0.1.3', '10.0.1.5', '10.0.1.6']],
    ['10.0.1.0/30', undefined, undefined, ['10.0.1.2']],
    // From the range only; its first address is the default gateway.
    [
      '10.0.1.0/24',
      '10.0.1.248/29',
      undefined,
      ['10.0.1.249', '10.0.1.250', '10.0.1.251', '10.0.1.252', '10.0.1.253', '10.0.1.254'],
    ],
    [
      '10.0.1.0/24',
      '10.0.1.0/29',
      '10.0.1.100',
      ['10.0.1.1', '10.0.1.2', '10.0.1.3', '10.0.1.4', '10.0.1.5', '10.0.1.6', '10.0.1.7'],
    ],
  ];
  for (const [subnet, range, gateway, want] of cases) {
    const p = pool(subnet, range, gateway);
    assert.deepEqual(take(p, want.length), want, subnet);
    assert.throws(() => p.allocate('late'), AddressesExhaustedError, `${subnet} is full`);
  }
});

test('a freed address is reused only after the others', () => {
  const p = pool('10.0.1.0/29');
  const [a, b] = take(p, 2);
  assert.deepEqual([a, b], ['10.0.1.2', '10.0.1.3']);
  assert.ok(p.release(parseIPv4('10.0.1.2')!, 'o0'));
  assert.deepEqual(take(p, 3, 'x'), ['10.0.1.4', '10.0.1.5', '10.0.1.6']);
  // Wraps around to the freed one.
  assert.equal(formatIPv4(p.allocate('y')), '10.0.1.2');
  assert.throws(() => p.allocate('z'), AddressesExhaustedError);
});

test('release and reserve check the owner', () => {
  const p = pool('10.0.1.0/24');
  const ip = p.allocate('task:a');
  assert.equal(p.release(ip, 'task:b'), false);
  assert.equal(p.ownerOf(ip), 'task:a');
  assert.equal(p.reserve(ip, 'task:a'), true, 'idempotent for the holder');
  assert.equal(p.reserve(ip, 'task:b'), false);
  assert.equal(p.release(ip, 'task:a'), true);
  assert.equal(p.used, 0);
});

test('reserve refuses unusable addresses and moves the serial cursor', () => {
  const p = pool('10.0.1.0/24');
  for (const bad of ['10.0.1.0', '10.0.1.255', '10.0.1.1', '10.0.2.5']) {
    assert.equal(p.reserve(parseIPv4(bad)!, 'x'), false, bad);
  }
  // A new leader rebuilds from the store: allocation continues after the highest in use.
  assert.ok(p.reserve(parseIPv4('10.0.1.7')!, 'task:t7'));
  assert.ok(p.reserve(parseIPv4('10.0.1.3')!, 'task:t3'));
  assert.equal(formatIPv4(p.allocate('new')), '10.0.1.8');
});
