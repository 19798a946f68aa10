// The VXLAN device's UDP port is the cluster's data path port (`swarm init --data-path-port`):
// the device is made with it, a device found with another port is not adopted but made again,
// and the data plane refuses the same network asked for on two ports.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { OverlayError } from '../errors.js';
import type { HostCommandResult, HostCommands, HostRunOptions } from '../host-commands.js';
import { IpRoute } from '../iproute.js';
import { vxlanName, overlayBridgeName } from '../link-names.js';
import { OverlayNetwork, VXLAN_PORT } from '../overlay-network.js';
import type { Underlay } from '../underlay.js';

const UNDERLAY: Underlay = { address: '192.168.50.2', iface: 'eth0', mtu: 1500 };
const ID = 'net0123456789abcdef';

/** Records every batch; answers JSON queries from `links` (device name → its `ip -d -j` record). */
class FakeCommands implements HostCommands {
  readonly batches: string[] = [];
  constructor(readonly links = new Map<string, Record<string, unknown>>()) {}

  run(argv: readonly string[], options: HostRunOptions = {}): Promise<HostCommandResult> {
    if (argv.includes('-batch')) {
      this.batches.push(options.input ?? '');
      return Promise.resolve({ code: 0, stdout: '', stderr: '' });
    }
    const dev = argv.indexOf('dev');
    const name = dev >= 0 ? argv[dev + 1] : undefined;
    const link = name === undefined ? undefined : this.links.get(name);
    if (argv.includes('neigh') || argv.includes('fdb') || argv.includes('addr'))
      return Promise.resolve({ code: 0, stdout: '[]', stderr: '' });
    if (link === undefined) return Promise.resolve({ code: 1, stdout: '', stderr: 'Cannot find device' });
    return Promise.resolve({ code: 0, stdout: JSON.stringify([link]), stderr: '' });
  }
}

function vxlanLink(port: number): Record<string, unknown> {
  return {
    ifname: vxlanName(ID),
    mtu: 1450,
    master: overlayBridgeName(ID),
    linkinfo: { info_kind: 'vxlan', info_data: { id: 4097, local: UNDERLAY.address, port } },
  };
}

function bridgeLink(): Record<string, unknown> {
  return { ifname: overlayBridgeName(ID), address: '02:42:0a:00:00:01', linkinfo: { info_kind: 'bridge' } };
}

test('the VXLAN device is made with the given data path port, 4789 when none is given', async () => {
  for (const [port, want] of [
    [7789, 7789],
    [undefined, VXLAN_PORT],
  ] as const) {
    const commands = new FakeCommands();
    const n = await OverlayNetwork.open(new IpRoute(commands), UNDERLAY, {
      id: ID,
      vni: 4097,
      ...(port === undefined ? {} : { port }),
    });
    assert.equal(n.port, want);
    const add = commands.batches
      .join('\n')
      .split('\n')
      .find((l) => l.includes('type vxlan'));
    assert.ok(add !== undefined, 'a vxlan device is added');
    assert.match(
      add,
      new RegExp(`id 4097 local 192\\.168\\.50\\.2 dev eth0 dstport ${want} nolearning proxy$`),
    );
  }
});

test('a device with the same port is adopted; one with another port is made again', async () => {
  const same = new FakeCommands(
    new Map([
      [vxlanName(ID), vxlanLink(7789)],
      [overlayBridgeName(ID), bridgeLink()],
    ]),
  );
  await OverlayNetwork.open(new IpRoute(same), UNDERLAY, { id: ID, vni: 4097, port: 7789 });
  assert.deepEqual(same.batches, [], 'adopted: nothing changed');

  const other = new FakeCommands(
    new Map([
      [vxlanName(ID), vxlanLink(VXLAN_PORT)],
      [overlayBridgeName(ID), bridgeLink()],
    ]),
  );
  await OverlayNetwork.open(new IpRoute(other), UNDERLAY, { id: ID, vni: 4097, port: 7789 });
  const lines = other.batches.join('\n');
  assert.match(lines, new RegExp(`link del ${vxlanName(ID)}`));
  assert.match(lines, /dstport 7789 nolearning proxy/);
});

test('a port outside 1..65535 is refused before any device is touched', async () => {
  for (const port of [0, 65536, 1.5]) {
    const commands = new FakeCommands();
    await assert.rejects(
      OverlayNetwork.open(new IpRoute(commands), UNDERLAY, { id: ID, vni: 4097, port }),
      (e: unknown) => e instanceof OverlayError && /VXLAN port/.test(e.message),
    );
    assert.deepEqual(commands.batches, []);
  }
});
