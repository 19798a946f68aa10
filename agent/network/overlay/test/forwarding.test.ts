import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { macFromIpv4 } from '../addresses.js';
import { OverlayError } from '../errors.js';
import {
  applyChange,
  changeSize,
  desiredTable,
  diffForwarding,
  EMPTY_TABLE,
  forwardingCommands,
  parseKernelTable,
  type ForwardingTable,
  type RemoteEndpoint,
} from '../forwarding.js';

const LOCAL = '10.77.0.11';
const N2 = '10.77.0.12';
const N3 = '10.77.0.13';

function table(entries: [address: string, node: string][]): ForwardingTable {
  return desiredTable(
    entries.map(([address, nodeAddress]) => ({ address, nodeAddress })),
    LOCAL,
  );
}

describe('desiredTable', () => {
  test('leaves out local endpoints and derives MACs from addresses', () => {
    const t = table([
      ['10.0.1.2', LOCAL],
      ['10.0.1.3', N2],
      ['10.0.1.4', N3],
    ]);
    assert.deepEqual(
      [...t.neighbours],
      [
        ['10.0.1.3', '02:42:0a:00:01:03'],
        ['10.0.1.4', '02:42:0a:00:01:04'],
      ],
    );
    assert.deepEqual(
      [...t.fdb],
      [
        ['02:42:0a:00:01:03', N2],
        ['02:42:0a:00:01:04', N3],
      ],
    );
    assert.deepEqual([...t.floods].sort(), [N2, N3]);
  });

  test('takes a given MAC in canonical form', () => {
    const t = desiredTable([{ address: '10.0.1.9', mac: 'AA-BB-CC-00-11-22', nodeAddress: N2 }], LOCAL);
    assert.equal(t.neighbours.get('10.0.1.9'), 'aa:bb:cc:00:11:22');
    assert.equal(t.fdb.get('aa:bb:cc:00:11:22'), N2);
  });

  test('a repeated address takes its last entry (a task that moved), with no stale MAC', () => {
    const t = desiredTable(
      [
        { address: '10.0.1.9', mac: '02:00:00:00:00:01', nodeAddress: N2 },
        { address: '10.0.1.9', mac: '02:00:00:00:00:02', nodeAddress: N3 },
      ],
      LOCAL,
    );
    assert.deepEqual([...t.neighbours], [['10.0.1.9', '02:00:00:00:00:02']]);
    assert.deepEqual([...t.fdb], [['02:00:00:00:00:02', N3]]);
    assert.deepEqual([...t.floods], [N3]);
  });

  const bad: [string, RemoteEndpoint][] = [
    ['an address that is not IPv4', { address: '10.0.1', nodeAddress: N2 }],
    ['a node address that is not IPv4', { address: '10.0.1.2', nodeAddress: 'node2' }],
    ['a malformed MAC', { address: '10.0.1.2', mac: '02:42', nodeAddress: N2 }],
  ];
  for (const [what, e] of bad) {
    test(`refuses ${what}`, () => {
      assert.throws(
        () => desiredTable([e], LOCAL),
        (err: unknown) => err instanceof OverlayError && err.code === 'OVERLAY_BAD_CONFIG',
      );
    });
  }
});

describe('diffForwarding', () => {
  const cases: { name: string; from: [string, string][]; to: [string, string][]; size: number }[] = [
    { name: 'nothing to nothing', from: [], to: [], size: 0 },
    { name: 'same set', from: [['10.0.1.3', N2]], to: [['10.0.1.3', N2]], size: 0 },
    { name: 'first endpoint of a node: neighbour, fdb, flood', from: [], to: [['10.0.1.3', N2]], size: 3 },
    {
      name: 'second endpoint on a known node: no new flood',
      from: [['10.0.1.3', N2]],
      to: [
        ['10.0.1.3', N2],
        ['10.0.1.4', N2],
      ],
      size: 2,
    },
    {
      name: 'last endpoint of a node goes: its flood goes too',
      from: [
        ['10.0.1.3', N2],
        ['10.0.1.4', N3],
      ],
      to: [['10.0.1.3', N2]],
      size: 3,
    },
    {
      name: 'an endpoint moves to another node: fdb replaced, floods follow',
      from: [['10.0.1.3', N2]],
      to: [['10.0.1.3', N3]],
      size: 3,
    },
  ];
  for (const c of cases) {
    test(c.name, () => {
      const from = table(c.from);
      const to = table(c.to);
      const d = diffForwarding(from, to);
      assert.equal(changeSize(d), c.size);
      const after = applyChange(from, d);
      assert.deepEqual([...after.neighbours].sort(), [...to.neighbours].sort());
      assert.deepEqual([...after.fdb].sort(), [...to.fdb].sort());
      assert.deepEqual([...after.floods].sort(), [...to.floods].sort());
    });
  }

  test('touches only the changed endpoint among many', () => {
    const many: [string, string][] = Array.from({ length: 1000 }, (_, i) => [
      `10.0.${Math.floor(i / 250)}.${(i % 250) + 2}`,
      i % 2 === 0 ? N2 : N3,
    ]);
    const from = table(many);
    const to = table([...many, ['10.0.9.9', N2]]);
    const d = diffForwarding(from, to);
    assert.deepEqual(d.setNeighbours, [['10.0.9.9', macFromIpv4('10.0.9.9')]]);
    assert.deepEqual(d.setFdb, [[macFromIpv4('10.0.9.9'), N2]]);
    assert.equal(changeSize(d), 2);
  });
});

describe('forwardingCommands', () => {
  test('removals first, then additions, as iproute2 batch lines on the VXLAN device', () => {
    const d = diffForwarding(table([['10.0.1.3', N2]]), table([['10.0.1.4', N3]]));
    const b = forwardingCommands('vx-abc', d);
    assert.deepEqual(b.ip, [
      'neigh del 10.0.1.3 dev vx-abc',
      'neigh replace 10.0.1.4 lladdr 02:42:0a:00:01:04 dev vx-abc nud permanent',
    ]);
    assert.deepEqual(b.bridge, [
      `fdb del 00:00:00:00:00:00 dev vx-abc dst ${N2} self`,
      'fdb del 02:42:0a:00:01:03 dev vx-abc self',
      `fdb replace 02:42:0a:00:01:04 dev vx-abc dst ${N3} self permanent`,
      `fdb append 00:00:00:00:00:00 dev vx-abc dst ${N3} self permanent`,
    ]);
  });

  test('no change, no lines', () => {
    const b = forwardingCommands('vx-abc', diffForwarding(EMPTY_TABLE, EMPTY_TABLE));
    assert.deepEqual(b, { ip: [], bridge: [] });
  });
});

describe('parseKernelTable', () => {
  test("keeps the VXLAN device's own static entries, not the bridge's learned ones", () => {
    // As printed by iproute2 6.1 for a programmed VXLAN device.
    const fdb = JSON.stringify([
      { mac: '02:42:0a:00:01:06', flags: [], master: 'ov-x', state: '' },
      { mac: 'de:d8:93:b9:8e:cf', flags: [], master: 'ov-x', state: 'permanent' },
      { mac: '02:42:0a:00:01:06', dst: N2, flags: ['self'], state: 'permanent' },
      { mac: '00:00:00:00:00:00', dst: N2, flags: ['self'], state: 'permanent' },
    ]);
    const neigh = JSON.stringify([
      { dst: '10.0.1.6', lladdr: '02:42:0a:00:01:06', state: ['PERMANENT'] },
      { dst: '10.0.1.7', lladdr: '02:42:0a:00:01:07', state: ['STALE'] },
    ]);
    const t = parseKernelTable(neigh, fdb);
    assert.deepEqual([...t.neighbours], [['10.0.1.6', '02:42:0a:00:01:06']]);
    assert.deepEqual([...t.fdb], [['02:42:0a:00:01:06', N2]]);
    assert.deepEqual([...t.floods], [N2]);
  });

  test('empty output is an empty table', () => {
    const t = parseKernelTable('', '[]');
    assert.equal(t.neighbours.size + t.fdb.size + t.floods.size, 0);
  });
});
