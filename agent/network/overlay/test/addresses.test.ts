import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  cidrContains,
  intToIpv4,
  ipv4ToInt,
  isIpv4,
  macFromIpv4,
  normalizeMac,
  parseCidr,
  stripPrefix,
} from '../addresses.js';
import { OverlayError } from '../errors.js';

test('IPv4 addresses round-trip through numbers', () => {
  for (const a of ['0.0.0.0', '10.0.1.5', '172.18.255.254', '255.255.255.255']) {
    assert.equal(intToIpv4(ipv4ToInt(a)), a);
  }
  assert.equal(ipv4ToInt('10.0.1.5'), 0x0a000105);
});

test('anything else is not an IPv4 address', () => {
  for (const a of ['10.0.1', '10.0.1.256', 'a.b.c.d', '10.0.1.5/24', '']) {
    assert.equal(isIpv4(a), false, a);
    assert.throws(
      () => ipv4ToInt(a),
      (e: unknown) => e instanceof OverlayError && e.code === 'OVERLAY_BAD_CONFIG',
    );
  }
});

test('CIDRs: network, size, membership', () => {
  assert.deepEqual(parseCidr('10.0.1.5/24'), {
    address: '10.0.1.5',
    prefix: 24,
    network: '10.0.1.0',
    size: 256,
  });
  assert.equal(parseCidr('172.18.3.4/16').network, '172.18.0.0');
  assert.equal(cidrContains('10.0.1.0/24', '10.0.1.255'), true);
  assert.equal(cidrContains('10.0.1.0/24', '10.0.2.0'), false);
  assert.throws(() => parseCidr('10.0.1.0'), OverlayError);
  assert.throws(() => parseCidr('10.0.1.0/33'), OverlayError);
  assert.equal(stripPrefix('10.0.1.5/24'), '10.0.1.5');
  assert.equal(stripPrefix('10.0.1.5'), '10.0.1.5');
});

test("an endpoint's MAC follows from its address as Docker's overlay makes it", () => {
  assert.equal(macFromIpv4('10.0.1.11'), '02:42:0a:00:01:0b');
  assert.equal(macFromIpv4('172.18.0.2'), '02:42:ac:12:00:02');
  assert.equal(normalizeMac('02-42-AC-12-00-02'), '02:42:ac:12:00:02');
  assert.throws(() => normalizeMac('02:42:ac:12:00'), OverlayError);
});
