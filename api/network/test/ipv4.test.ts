import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  cidrContains,
  cidrsOverlap,
  cidrWithin,
  formatCidr,
  formatIPv4,
  maskOf,
  parseCidr,
  parseCidrAddress,
  parseIPv4,
} from '../ipv4.js';

test('parseIPv4 accepts dotted quads only', () => {
  const cases: [string, number | undefined][] = [
    ['0.0.0.0', 0],
    ['10.0.0.1', 0x0a000001],
    ['255.255.255.255', 0xffffffff],
    ['192.168.1.10', 0xc0a8010a],
    ['256.0.0.1', undefined],
    ['10.0.0', undefined],
    ['10.0.0.1.2', undefined],
    ['010.0.0.1', undefined],
    ['10.0.0.-1', undefined],
    ['', undefined],
    ['::1', undefined],
    ['a.b.c.d', undefined],
  ];
  for (const [text, want] of cases) assert.equal(parseIPv4(text), want, text);
});

test('formatIPv4 round-trips', () => {
  for (const ip of ['0.0.0.0', '10.0.1.5', '255.255.255.255', '172.16.254.3']) {
    assert.equal(formatIPv4(parseIPv4(ip)!), ip);
  }
});

test('masks and CIDR parsing (host bits cleared, as net.ParseCIDR)', () => {
  assert.equal(maskOf(0), 0);
  assert.equal(maskOf(24), 0xffffff00);
  assert.equal(maskOf(32), 0xffffffff);
  assert.equal(formatCidr(parseCidr('10.0.1.5/24')!), '10.0.1.0/24');
  assert.equal(formatCidr(parseCidr('10.0.0.0/8')!), '10.0.0.0/8');
  assert.deepEqual(parseCidrAddress('10.0.1.5/24'), { ip: parseIPv4('10.0.1.5'), prefix: 24 });
  for (const bad of ['10.0.0.0', '10.0.0.0/33', '10.0.0.0/', '10.0.0.0/-1', 'x/24', '10.0.0.0/2a']) {
    assert.equal(parseCidr(bad), undefined, bad);
  }
});

test('containment and overlap', () => {
  const c = (s: string) => parseCidr(s)!;
  const cases: [string, string, boolean, boolean][] = [
    // a, b, overlap, a within b
    ['10.0.1.0/24', '10.0.0.0/16', true, true],
    ['10.0.0.0/16', '10.0.1.0/24', true, false],
    ['10.0.1.0/24', '10.0.2.0/24', false, false],
    ['10.0.0.0/8', '11.0.0.0/8', false, false],
    ['10.0.1.128/25', '10.0.1.0/24', true, true],
    ['0.0.0.0/0', '192.168.0.0/16', true, false],
  ];
  for (const [a, b, overlap, within] of cases) {
    assert.equal(cidrsOverlap(c(a), c(b)), overlap, `${a} overlaps ${b}`);
    assert.equal(cidrsOverlap(c(b), c(a)), overlap, `${b} overlaps ${a}`);
    assert.equal(cidrWithin(c(a), c(b)), within, `${a} within ${b}`);
  }
  assert.ok(cidrContains(c('10.0.1.0/24'), parseIPv4('10.0.1.255')!));
  assert.ok(!cidrContains(c('10.0.1.0/24'), parseIPv4('10.0.2.0')!));
});
