import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SubnetPoolExhaustedError, VniExhaustedError } from '../errors.js';
import { formatCidr, parseCidr } from '../../../api/network/ipv4.js';
import { pickSubnet } from '../subnet-pick.js';
import { pickVni, vniOf, VNI_END, VNI_START, VXLANID_OPTION } from '../vni.js';

const cidrs = (...s: string[]) => s.map((x) => parseCidr(x)!);

test('pickSubnet takes the lowest free block of the default pools', () => {
  const cases: [string[], number, string[], string][] = [
    [['10.0.0.0/8'], 24, [], '10.0.0.0/24'],
    [['10.0.0.0/8'], 24, ['10.0.0.0/24'], '10.0.1.0/24'],
    [['10.0.0.0/8'], 24, ['10.0.0.0/24', '10.0.2.0/24'], '10.0.1.0/24'],
    // A user's /16 inside the pool is skipped in one jump.
    [['10.0.0.0/8'], 24, ['10.0.0.0/24', '10.0.1.0/24', '10.0.2.0/23', '10.1.0.0/16'], '10.0.4.0/24'],
    [['10.0.0.0/8'], 24, ['10.0.0.0/16'], '10.1.0.0/24'],
    // A user's small block inside a candidate blocks that candidate.
    [['10.0.0.0/8'], 24, ['10.0.0.64/26'], '10.0.1.0/24'],
    // Subnets outside the pool do not matter.
    [['10.0.0.0/8'], 24, ['192.168.0.0/16'], '10.0.0.0/24'],
    // Several pools, in order; other sizes.
    [['10.0.0.0/30', '172.16.0.0/12'], 24, [], '172.16.0.0/24'],
    [['10.10.0.0/16'], 20, ['10.10.0.0/24'], '10.10.16.0/20'],
  ];
  for (const [pools, size, taken, want] of cases) {
    assert.equal(formatCidr(pickSubnet(pools, size, cidrs(...taken))), want, JSON.stringify([pools, taken]));
  }
});

test('pickSubnet reports an exhausted pool with Docker message', () => {
  assert.throws(
    () => pickSubnet(['10.0.0.0/23'], 24, cidrs('10.0.0.0/24', '10.0.1.0/24')),
    (e: unknown) =>
      e instanceof SubnetPoolExhaustedError &&
      e.message ===
        'could not find an available, non-overlapping IPv4 address pool among the defaults to assign to the network',
  );
});

test('pickVni hands out identifiers serially from 4096, wrapping', () => {
  const cases: [number[], number, number][] = [
    [[], VNI_START - 1, 4096],
    [[4096], 4096, 4097],
    // 4097 was freed: the next is still 4098 (reuse only after the others).
    [[4096, 4098], 4098, 4099],
    [[4096], VNI_END, 4097],
    [[], 0, 4096],
  ];
  for (const [taken, last, want] of cases) assert.equal(pickVni(new Set(taken), last), want);
});

test('pickVni fails when every identifier is taken', () => {
  const all = new (class extends Set<number> {
    override has(): boolean {
      return true;
    }
  })();
  assert.throws(() => pickVni(all, VNI_START), VniExhaustedError);
});

test('vniOf reads the overlay driver option', () => {
  assert.equal(vniOf({ [VXLANID_OPTION]: '4097' }), 4097);
  assert.equal(vniOf({ [VXLANID_OPTION]: '12' }), undefined);
  assert.equal(vniOf({ [VXLANID_OPTION]: 'x' }), undefined);
  assert.equal(vniOf({}), undefined);
  assert.equal(vniOf(undefined), undefined);
});
