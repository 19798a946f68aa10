// The overlay data plane end to end, on two lab hosts with real dockerd engines and an underlay
// MTU of 1450 (as on OpenStack): task containers attached through the shoal network plugin with
// the allocator's addresses before their process starts; ping and TCP across hosts; isolation
// between overlays; MTU 1400 with DF-set full-size packets crossing; egress through the node's
// own gateway bridge; incremental forwarding updates; a plugin restart; complete teardown. Needs
// root and what scripts/setup.sh installs.

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Lab, type HostRef } from '../../../../lab/lab.js';
import { macFromIpv4 } from '../../overlay/addresses.js';
import { acceptForwarding, removeForwardingRules } from '../../overlay/forward-accept.js';
import { overlayBridgeName, vxlanName } from '../../overlay/link-names.js';
import { NetworkPlugin } from '../network-plugin.js';
import {
  overlayNetwork,
  pluginOptions,
  runTask,
  startLabNode,
  type LabNode,
  type RunningTask,
} from './lab-nodes.js';

const netA = overlayNetwork('front', 4097, '10.0.1.0/24');
const netB = overlayNetwork('back', 4098, '10.0.2.0/24');
const netI = overlayNetwork('secret', 4099, '10.0.3.0/24', true);
const SLEEP = 'exec sleep 3600';

let lab: Lab | undefined;
const nodes: LabNode[] = [];
const tasks: Record<string, RunningTask> = {};

function live(): Lab {
  assert.ok(lab, 'the lab was not created');
  return lab;
}

function node(i: number): LabNode {
  const n = nodes[i];
  assert.ok(n, `node ${i} was not started`);
  return n;
}

function task(name: string): RunningTask {
  const t = tasks[name];
  assert.ok(t, `task ${name} is not running`);
  return t;
}

/** Runs a command in a task's container; resolves with its exit code and output. */
async function inTask(t: RunningTask, argv: string[]): Promise<{ code: number | null; out: string }> {
  const r = await live().dockerCli(t.node.host, ['exec', t.name, ...argv], {
    check: false,
    timeoutMs: 20_000,
  });
  return { code: r.code, out: r.stdout + r.stderr };
}

/** The task's IPv4 FragCreates counter (fragments its network namespace has made). */
async function fragmentsMade(t: RunningTask): Promise<number> {
  const [names, values] = (await inTask(t, ['grep', '^Ip:', '/proc/net/snmp'])).out.trim().split('\n');
  const i = (names ?? '').split(/\s+/).indexOf('FragCreates');
  assert.ok(i > 0, 'FragCreates is counted');
  return Number((values ?? '').split(/\s+/)[i]);
}

async function pings(from: RunningTask, to: string, extra: string[] = []): Promise<boolean> {
  return (await inTask(from, ['ping', '-c', '1', '-W', '2', ...extra, to])).code === 0;
}

/** The VXLAN forwarding entries of a network on a host, read with iproute2 independently. */
async function kernelEntries(h: HostRef, networkId: string): Promise<Set<string>> {
  const l = live();
  const vx = vxlanName(networkId);
  const fdb = JSON.parse((await l.exec(h, ['bridge', '-j', 'fdb', 'show', 'dev', vx])).stdout) as {
    mac: string;
    dst?: string;
    flags: string[];
  }[];
  const neigh = JSON.parse((await l.exec(h, ['ip', '-j', 'neigh', 'show', 'dev', vx])).stdout) as {
    dst: string;
    lladdr: string;
  }[];
  return new Set([
    ...fdb.filter((f) => f.flags.includes('self') && f.dst !== undefined).map((f) => `fdb ${f.mac} ${f.dst}`),
    ...neigh.map((n) => `neigh ${n.dst} ${n.lladdr}`),
  ]);
}

async function setPeers(net: typeof netA, endpoints: { address: string; node: number }[]): Promise<void> {
  for (const n of nodes) {
    await n.plugin.dataPlane.setPeers(
      net.id,
      endpoints.map((e) => ({ address: e.address, nodeAddress: live().addr(e.node) })),
    );
  }
}

describe('overlay networks across lab hosts', { timeout: 150_000 }, () => {
  before(async () => {
    lab = await Lab.create({ name: 'overlay-e2e', hosts: 2, mtu: 1450 });
    // As a dockerd with iptables on (Docker's default) leaves a node: FORWARD drops, and bridged
    // frames go through iptables (br_netfilter). shoal's own rules must let its traffic through.
    for (const h of lab.hosts) {
      await lab.exec(h, ['iptables', '-w', '-P', 'FORWARD', 'DROP']);
      await lab.exec(h, ['tee', '/proc/sys/net/bridge/bridge-nf-call-iptables'], { input: '1\n' });
    }
    nodes.push(await startLabNode(lab, 0), await startLabNode(lab, 1));
    const started = await Promise.all([
      runTask(node(0), netA, '10.0.1.11', `ip -o -4 addr show eth0 > /tmp/at-start; ${SLEEP}`),
      runTask(node(1), netA, '10.0.1.12', 'exec nc -ll -p 7000 -e echo hello-from-a2'),
      runTask(node(0), netB, '10.0.2.11', SLEEP),
      runTask(node(1), netB, '10.0.2.12', SLEEP),
      runTask(node(0), netI, '10.0.3.11', SLEEP),
    ]);
    const [a1, a2, b1, b2, i1] = started;
    Object.assign(tasks, { a1, a2, b1, b2, i1 });
    await setPeers(netA, [
      { address: '10.0.1.11', node: 0 },
      { address: '10.0.1.12', node: 1 },
    ]);
    await setPeers(netB, [
      { address: '10.0.2.11', node: 0 },
      { address: '10.0.2.12', node: 1 },
    ]);
  });

  after(async () => {
    for (const n of nodes) await n.plugin.teardown().catch(() => undefined);
    await lab?.destroy();
  });

  it('attaches a task before its process starts, with the allocator address, its MAC and MTU 1400', async () => {
    const a1 = task('a1');
    assert.match((await inTask(a1, ['cat', '/tmp/at-start'])).out, /eth0\s+inet 10\.0\.1\.11\/24 /);
    const link = (await inTask(a1, ['ip', '-o', 'link', 'show', 'eth0'])).out;
    assert.match(link, / mtu 1400 /, 'underlay 1450 - 50');
    assert.ok(link.includes(`link/ether ${macFromIpv4('10.0.1.11')} `), link);
    const networks = await live().dockerCli(0, [
      'network',
      'ls',
      '--filter',
      'driver=shoal',
      '--format',
      '{{.Name}}',
    ]);
    assert.deepEqual(networks.stdout.trim().split('\n').sort(), [
      'back',
      'docker_gwbridge',
      'front',
      'secret',
    ]);
  });

  it('carries ping and TCP between tasks on different hosts', async () => {
    assert.equal(await pings(task('a1'), '10.0.1.12'), true, 'a1 (node1) -> a2 (node2)');
    assert.equal(await pings(task('a2'), '10.0.1.11'), true, 'a2 (node2) -> a1 (node1)');
    assert.equal(await pings(task('b2'), '10.0.2.11'), true, 'b2 (node2) -> b1 (node1)');
    const tcp = await inTask(task('a1'), ['nc', '-w', '3', '10.0.1.12', '7000']);
    assert.equal(tcp.out.trim(), 'hello-from-a2');
  });

  it('keeps two overlays apart, also through the gateway bridge', async () => {
    assert.equal(await pings(task('a1'), '10.0.2.12'), false, 'front -> back, across hosts');
    assert.equal(await pings(task('a1'), '10.0.2.11'), false, 'front -> back, same host');
    const b1Egress = /inet (172\.18\.\d+\.\d+)\//.exec(
      (await inTask(task('b1'), ['ip', '-o', '-4', 'addr'])).out,
    )?.[1];
    assert.ok(b1Egress, 'b1 has an egress address');
    assert.equal(await pings(task('a1'), b1Egress), false, 'task ports on the gateway bridge are isolated');
  });

  it('sends a 1400-byte packet with DF set across hosts unfragmented', async () => {
    const l = live();
    // Counts, on node2's overlay bridge, forwarded IPv4 packets of exactly 1400 bytes with DF.
    const table = `${l.id}-df`;
    await l.exec(1, ['nft', '-f', '-'], {
      input:
        `table bridge ${table} {\n  chain df {\n    type filter hook forward priority 0; policy accept;\n` +
        `    iifname "${vxlanName(netA.id)}" ip length 1400 ip frag-off & 0x4000 != 0 counter\n  }\n}\n`,
    });
    const a1 = task('a1');
    const fragsBefore = await fragmentsMade(a1);
    assert.equal(await pings(a1, '10.0.1.12', ['-s', '1372']), true, '1372 + 8 ICMP + 20 IP = 1400');
    const counter = (await l.exec(1, ['nft', '-j', 'list', 'table', 'bridge', table])).stdout;
    const packets = /"counter":\s*\{\s*"packets":\s*(\d+)/.exec(counter)?.[1];
    assert.equal(packets, '1', `one 1400-byte DF packet crossed into node2's bridge: ${counter}`);
    assert.equal(await fragmentsMade(a1), fragsBefore, 'a1 fragmented nothing');
    await l.exec(1, ['nft', 'delete', 'table', 'bridge', table]);
  });

  it('gives tasks egress through their own node, and internal networks none', async () => {
    // node2 has no route back to 172.18.0.0/16: only masquerade to node1's address makes this work.
    assert.equal(await pings(task('a1'), live().addr(1)), true, 'a1 reaches node2 by its underlay address');
    const route = (await inTask(task('i1'), ['ip', 'route'])).out;
    assert.doesNotMatch(route, /default/, 'no default route on an internal network');
    assert.equal(await pings(task('i1'), live().addr(1)), false);
  });

  it("needs its FORWARD rules where Docker's firewall drops forwarded traffic", async () => {
    for (const n of nodes) await removeForwardingRules(n.commands);
    assert.equal(await pings(task('a1'), '10.0.1.12'), false, 'overlay frames are dropped without them');
    assert.equal(await pings(task('a1'), live().addr(1)), false, 'egress is dropped without them');
    for (const n of nodes) await acceptForwarding(n.commands, n.plugin.gateway.name);
    assert.equal(await pings(task('a1'), '10.0.1.12'), true);
    assert.equal(await pings(task('a1'), live().addr(1)), true);
  });

  it('changes only the entries of an added or removed remote endpoint', async () => {
    const before = await kernelEntries(0, netA.id);
    const fake = { address: '10.0.1.50', nodeAddress: '10.77.0.99' };
    const mac = macFromIpv4(fake.address);
    const peers = [
      { address: '10.0.1.11', nodeAddress: live().addr(0) },
      { address: '10.0.1.12', nodeAddress: live().addr(1) },
    ];
    const added = await node(0).plugin.dataPlane.setPeers(netA.id, [...peers, fake]);
    assert.deepEqual(added, {
      setNeighbours: [[fake.address, mac]],
      delNeighbours: [],
      setFdb: [[mac, fake.nodeAddress]],
      delFdb: [],
      addFloods: [fake.nodeAddress],
      delFloods: [],
    });
    const during = await kernelEntries(0, netA.id);
    const appeared = [...during].filter((e) => !before.has(e)).sort();
    const vanished = [...before].filter((e) => !during.has(e));
    assert.deepEqual(appeared, [
      `fdb 00:00:00:00:00:00 ${fake.nodeAddress}`,
      `fdb ${mac} ${fake.nodeAddress}`,
      `neigh ${fake.address} ${mac}`,
    ]);
    assert.deepEqual(vanished, []);
    const removed = await node(0).plugin.dataPlane.setPeers(netA.id, peers);
    assert.deepEqual(removed?.delNeighbours, [fake.address]);
    assert.deepEqual(removed?.delFdb, [mac]);
    assert.deepEqual(removed?.delFloods, [fake.nodeAddress]);
    assert.deepEqual(removed?.setFdb, []);
    assert.deepEqual(await kernelEntries(0, netA.id), before);
    assert.equal(await pings(task('a1'), '10.0.1.12'), true);
  });

  it('survives a plugin restart: adopts its devices and attaches new tasks', async () => {
    const n = node(0);
    await n.plugin.stop();
    n.plugin = await NetworkPlugin.start(pluginOptions(n.host, n.commands));
    await n.plugin.dataPlane.setPeers(netA.id, [
      { address: '10.0.1.11', nodeAddress: live().addr(0) },
      { address: '10.0.1.12', nodeAddress: live().addr(1) },
      { address: '10.0.1.13', nodeAddress: live().addr(0) },
    ]);
    await node(1).plugin.dataPlane.setPeers(netA.id, [
      { address: '10.0.1.11', nodeAddress: live().addr(0) },
      { address: '10.0.1.12', nodeAddress: live().addr(1) },
      { address: '10.0.1.13', nodeAddress: live().addr(0) },
    ]);
    assert.equal(await pings(task('a1'), '10.0.1.12'), true, 'traffic still flows');
    tasks['a3'] = await runTask(n, netA, '10.0.1.13', SLEEP);
    assert.equal(await pings(task('a3'), '10.0.1.12'), true, 'a task started after the restart');
  });

  it('removes every bridge, vxlan, veth and nftables table on teardown', async () => {
    for (const t of Object.values(tasks)) await t.controller.remove();
    for (const n of nodes) {
      const left = await live().dockerCli(n.host, [
        'network',
        'ls',
        '--filter',
        'driver=shoal',
        '--format',
        '{{.Name}}',
      ]);
      assert.equal(left.stdout.trim(), 'docker_gwbridge', 'the overlay networks went with their last task');
      assert.equal(n.plugin.dataPlane.networkIds().length, 0, 'DeleteNetwork removed the devices');
      await n.attacher.engine.removeAll();
      await n.plugin.teardown();
    }
    for (const h of live().hosts) {
      const links = JSON.parse((await live().exec(h, ['ip', '-j', 'link', 'show'])).stdout) as {
        ifname: string;
        ifalias?: string;
      }[];
      const ours = links.filter(
        (x) =>
          /^(ov|vx|ve|vc|vg)-/.test(x.ifname) ||
          x.ifname === 'shoal_gwbridge' ||
          x.ifalias?.startsWith('shoal:'),
      );
      assert.deepEqual(ours, [], `links left on ${h.name}`);
      assert.ok(!links.some((x) => x.ifname === overlayBridgeName(netA.id)));
      const tables = (await live().exec(h, ['nft', 'list', 'tables'])).stdout;
      assert.doesNotMatch(tables, /shoal/, `nftables tables left on ${h.name}`);
      const rules = (await live().exec(h, ['iptables', '-w', '-S', 'FORWARD'])).stdout;
      assert.doesNotMatch(rules, /shoal/, `iptables rules left on ${h.name}`);
    }
  });
});
