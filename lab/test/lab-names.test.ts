import { test } from 'node:test';
import assert from 'node:assert/strict';
import { hostAddresses } from '../lab-addresses.js';
import { LabError } from '../errors.js';
import { bridgeName, isLabId, labIdOf, newLabId, ownerPidOf, vethName } from '../lab-names.js';

test('lab ids carry the owner pid and fit interface names for the largest pid', () => {
  const id = newLabId(4_194_304);
  assert.ok(isLabId(id), id);
  assert.equal(ownerPidOf(id), 4_194_304);
  assert.ok(bridgeName(id).length <= 15);
  assert.ok(vethName(id, 98).length <= 15);
  assert.notEqual(newLabId(4_194_304), id, 'a process gets a new id for each lab');
});

test('resource names map back to their lab id, and only lab names do', () => {
  const cases: [string, string | undefined][] = [
    ['shl-abc-0', 'shl-abc-0'],
    ['shl-abc-0-br', 'shl-abc-0'],
    ['shl-abc-0-12', 'shl-abc-0'],
    ['shl-abc-1-node1', 'shl-abc-1'],
    ['shl-abc-10-node1', 'shl-abc-10'],
    ['shoal-dev-1', undefined],
    ['shoal-proto', undefined],
    ['docker0', undefined],
    ['shl-', undefined],
  ];
  for (const [name, id] of cases) assert.equal(labIdOf(name), id, name);
});

test('hosts get consecutive addresses from the 11th of the subnet', () => {
  assert.deepEqual(hostAddresses('10.77.0.0/24', 3), {
    hosts: ['10.77.0.11', '10.77.0.12', '10.77.0.13'],
    prefix: 24,
    gateway: '10.77.0.1',
  });
  assert.deepEqual(hostAddresses('192.168.50.77/26', 1).hosts, ['192.168.50.75']);
  for (const bad of ['10.77.0.0', '10.77.0/24', '10.77.0.0/30', '300.1.1.1/24', 'x/24']) {
    assert.throws(
      () => hostAddresses(bad, 1),
      (e: unknown) => e instanceof LabError && e.code === 'LAB_BAD_OPTIONS',
      bad,
    );
  }
  assert.throws(() => hostAddresses('10.0.0.0/27', 20), /too small/);
});
