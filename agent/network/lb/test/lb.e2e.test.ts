// VIP load balancing, the routing mesh and host-mode ports in the lab: real namespaces, a real
// VXLAN between hosts (the fixture's own, lb-lab.ts), real nft, servers answering with their
// name. Needs root and the packages scripts/setup.sh installs.

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { LbProgrammer } from '../lb-programmer.js';
import { Nft } from '../nft.js';
import { LB_TABLE, MESH_TABLE } from '../nft-ruleset.js';
import type { PublishedPort, SandboxDnsRedirect } from '../lb-spec.js';
import { EmbeddedDns } from '../../dns/dns-server.js';
import { Upstream } from '../../dns/upstream.js';
import { openSandboxSockets } from '../../dns/sandbox-sockets.js';
import { FIXTURE_SUBNET, LbLab, type Sandbox } from './lb-lab.js';

const VIP = '10.99.200.1';
const EMPTY_VIP = '10.99.200.2';

function tally(answers: readonly string[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const a of answers) out[a] = (out[a] ?? 0) + 1;
  return out;
}

function assertShare(
  counts: Record<string, number>,
  names: readonly string[],
  each: number,
  slack: number,
): void {
  assert.deepEqual(
    Object.keys(counts).sort(),
    [...names].sort(),
    `answers came from ${JSON.stringify(counts)}`,
  );
  for (const n of names) {
    const c = counts[n] ?? 0;
    assert.ok(
      Math.abs(c - each) <= slack,
      `${n} served ${c}, expected ${each} ± ${slack} (${JSON.stringify(counts)})`,
    );
  }
}

describe('load balancing in the lab', { timeout: 120_000 }, () => {
  let fx: LbLab;
  const lb = new LbProgrammer(new Nft());
  const backends: Sandbox[] = [];
  let client: Sandbox;
  const dns = new EmbeddedDns({ upstream: new Upstream({ servers: [] }) });
  let dnsRedirect: SandboxDnsRedirect | undefined;

  before(async () => {
    fx = await LbLab.create(3, 1);
    // Two replicas on node1 and node2; the client task on node3.
    backends.push(await fx.addSandbox(0), await fx.addSandbox(1));
    client = await fx.addSandbox(2);
    for (const b of backends) await fx.serveHttp(b);
  });

  after(async () => {
    dns.close();
    await fx.destroy();
  });

  it('a task resolves the service to its VIP with the embedded DNS, and 100 requests split 50/50', async () => {
    dns.setRecords([
      {
        id: 'fx',
        name: 'fxnet',
        services: [{ name: 'web', endpointMode: 'vip', vip: VIP, taskAddrs: backends.map((b) => b.addr) }],
        tasks: [],
      },
    ]);
    const sockets = await openSandboxSockets(client.netnsPath);
    dns.serve(client.name, sockets, ['fx']);
    dnsRedirect = { address: sockets.address, udpPort: sockets.udpPort, tcpPort: sockets.tcpPort };
    const first = await lb.applySandbox(client.netnsPath, {
      services: [
        { vip: VIP, backends: backends.map((b) => b.addr) },
        { vip: EMPTY_VIP, backends: [] },
      ],
      dns: dnsRedirect,
    });
    assert.equal(first.mode, 'full');

    const lookup = await fx.inNetns(client.netnsPath, ['busybox', 'nslookup', 'web', '127.0.0.11']);
    assert.match(lookup.stdout, new RegExp(`Address:\\s+${VIP.replaceAll('.', '\\.')}`));

    const answers = await fx.httpGets(client.netnsPath, `http://${VIP}/`, 100);
    assertShare(
      tally(answers),
      backends.map((b) => b.name),
      50,
      2,
    );
  });

  it('a VIP with no backend refuses at once (no black hole); ping to a VIP answers', async () => {
    const t0 = Date.now();
    const r = await fx.httpGet(client.netnsPath, `http://${EMPTY_VIP}/`);
    assert.match(r, /refused/i);
    assert.ok(Date.now() - t0 < 1_500, `took ${Date.now() - t0} ms`);
    const ping = await fx.inNetns(client.netnsPath, ['busybox', 'ping', '-c', '1', '-W', '2', VIP], false);
    assert.equal(ping.code, 0, ping.stdout + ping.stderr);
  });

  it('scale 2 → 5 → 2: the map follows, and no request reaches a removed backend', async () => {
    const extra = [await fx.addSandbox(0), await fx.addSandbox(1), await fx.addSandbox(2)];
    for (const b of extra) await fx.serveHttp(b);
    const five = [...backends, ...extra];
    const spec = (list: Sandbox[]): Parameters<LbProgrammer['applySandbox']>[1] => ({
      services: [
        { vip: VIP, backends: list.map((b) => b.addr) },
        { vip: EMPTY_VIP, backends: [] },
      ],
    });
    // The DNS redirect stays as the first test set it.
    const withDns = (list: Sandbox[]): Parameters<LbProgrammer['applySandbox']>[1] => ({
      ...spec(list),
      ...(dnsRedirect ? { dns: dnsRedirect } : {}),
    });

    const up = await lb.applySandbox(client.netnsPath, withDns(five));
    assert.deepEqual(up, { mode: 'diff', commands: 3 });
    assertShare(
      tally(await fx.httpGets(client.netnsPath, `http://${VIP}/`, 100)),
      five.map((b) => b.name),
      20,
      2,
    );

    const down = await lb.applySandbox(client.netnsPath, withDns(backends));
    assert.deepEqual(down, { mode: 'diff', commands: 3 });
    // The removed backends still run and would answer with their names if anything reached them.
    assertShare(
      tally(await fx.httpGets(client.netnsPath, `http://${VIP}/`, 100)),
      backends.map((b) => b.name),
      50,
      2,
    );
  });

  it('routing mesh: the published port answers on every node, round robin, including the node without a replica', async () => {
    for (const b of backends) await fx.serveUdp(b, 5353);
    const ports: PublishedPort[] = [
      {
        protocol: 'tcp',
        publishedPort: 8080,
        targetPort: 80,
        mode: 'ingress',
        backends: backends.map((b) => b.addr),
      },
      {
        protocol: 'udp',
        publishedPort: 5353,
        targetPort: 5353,
        mode: 'ingress',
        backends: backends.map((b) => b.addr),
      },
    ];
    for (const n of fx.nodes) await lb.applyNode(fx.netnsPath(n), { ingressSubnet: FIXTURE_SUBNET, ports });

    const outside = fx.netnsPath(3); // client1: on the LAN, not a node
    const names = backends.map((b) => b.name);
    for (const n of fx.nodes) {
      const answers = await fx.httpGets(outside, `http://${fx.lab.addr(n)}:8080/`, 10);
      assert.ok(
        answers.every((a) => names.includes(a)),
        `node${n + 1}: ${answers.join(', ')}`,
      );
      assertShare(tally(answers), names, 5, 0);
    }
    // node3 runs no replica: consecutive requests alternate strictly.
    const alternating = await fx.httpGets(outside, `http://${fx.lab.addr(2)}:8080/`, 6);
    for (let i = 2; i < alternating.length; i++) assert.equal(alternating[i], alternating[i - 2]);
    assert.notEqual(alternating[0], alternating[1]);

    const udp = await fx.udpAsk(outside, fx.lab.addr(2), 5353, 6);
    assertShare(tally(udp), names, 3, 0);
  });

  it('host mode: the port answers only on the node running a task, with that task', async () => {
    const [onNode1] = backends;
    assert.ok(onNode1);
    const hostPort = (local: Sandbox[]): PublishedPort => ({
      protocol: 'tcp',
      publishedPort: 9090,
      targetPort: 80,
      mode: 'host',
      backends: local.map((b) => b.addr),
    });
    for (const n of fx.nodes) {
      const local = n === onNode1.host ? [onNode1] : [];
      await lb.applyNode(fx.netnsPath(n), {
        ingressSubnet: FIXTURE_SUBNET,
        ports: [
          {
            protocol: 'tcp',
            publishedPort: 8080,
            targetPort: 80,
            mode: 'ingress',
            backends: backends.map((b) => b.addr),
          },
          hostPort(local),
        ],
      });
    }
    const outside = fx.netnsPath(3);
    assert.deepEqual(await fx.httpGets(outside, `http://${fx.lab.addr(onNode1.host)}:9090/`, 3), [
      onNode1.name,
      onNode1.name,
      onNode1.name,
    ]);
    assert.match(await fx.httpGet(outside, `http://${fx.lab.addr(2)}:9090/`), /refused/i);
  });

  it('teardown removes shoal’s tables from every sandbox and node', async () => {
    await lb.removeSandbox(client.netnsPath);
    for (const n of fx.nodes) await lb.removeNode(fx.netnsPath(n));
    for (const path of [client.netnsPath, ...fx.nodes.map((n) => fx.netnsPath(n))]) {
      const left = (await fx.tables(path)).filter((t) => t.includes(LB_TABLE) || t.includes(MESH_TABLE));
      assert.deepEqual(left, [], `${path} still has ${left.join(', ')}`);
    }
  });
});
