// Overlay networks end to end, on two lab hosts with an OpenStack-like 1450 underlay MTU:
// `network create -d overlay`, a service on it with a replica on each host, tasks reaching each
// other across hosts by their overlay addresses, task MTU 1400 (a DF ping of 1400 bytes crosses,
// 1401 does not), the embedded DNS (VIP and dnsrr modes) and the VIP's round robin, and two
// overlays isolated.

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { ShoalLab, eventually } from '../shoal-lab.js';
import { ok } from '../cli-output.js';
import { HTTP_HOSTNAME_SERVER } from '../task-servers.js';

let s: ShoalLab;

before(async () => {
  s = await ShoalLab.create('ovl', 2, { mtu: 1450 });
});

after(async () => {
  await s?.destroy();
});

/** The container of `service` on host h, and its address on `network`. */
async function task(h: number, service: string, network: string): Promise<{ name: string; ip: string }> {
  return eventually(`a ${service} container with an address on ${network} on host ${h + 1}`, async () => {
    const names = (await ok(s.engine(h, ['ps', '--format', '{{.Names}}'])))
      .split('\n')
      .filter((n) => n.startsWith(`${service}.`));
    for (const name of names) {
      const nets = await ok(
        s.engine(h, [
          'inspect',
          name,
          '--format',
          '{{range $k, $v := .NetworkSettings.Networks}}{{$k}}={{$v.IPAddress}} {{end}}',
        ]),
      );
      const ip = new RegExp(`${network}=(\\S+)`).exec(nets)?.[1];
      if (ip) return { name, ip };
    }
    return undefined;
  });
}

test('tasks on one overlay reach each other across hosts; MTU is the underlay minus 50', async () => {
  await ok(s.docker(0, ['swarm', 'init', '--advertise-addr', s.addr(0)]));
  const token = (await ok(s.docker(0, ['swarm', 'join-token', '-q', 'worker']))).trim();
  await ok(s.docker(1, ['swarm', 'join', '--token', token, `${s.addr(0)}:2377`]));
  await eventually('two ready nodes', async () => {
    const out = await ok(s.docker(0, ['node', 'ls']));
    return (out.match(/\bReady\b/g) ?? []).length === 2 ? true : undefined;
  });
  await ok(s.docker(0, ['network', 'create', '-d', 'overlay', 'overnet']));
  assert.match(await ok(s.docker(0, ['network', 'ls'])), /overnet\s+overlay\s+swarm/);
  await ok(
    s.docker(0, [
      'service',
      'create',
      '--name',
      'web',
      '--network',
      'overnet',
      '--replicas',
      '2',
      'shoal/busybox',
      'sleep',
      '100000',
    ]),
  );
  const a = await task(0, 'web', 'overnet');
  const b = await task(1, 'web', 'overnet');
  assert.match(a.ip, /^10\.0\.\d+\.\d+$/);
  // As the seeds read it: inspect on a node shows its task container and both nodes as peers.
  const shown = await eventually('network inspect to show the local task', async () => {
    const [n] = JSON.parse(await ok(s.docker(0, ['network', 'inspect', 'overnet']))) as {
      Containers: Record<string, { Name: string; IPv4Address: string }>;
      Peers?: { IP: string }[];
    }[];
    const mine = Object.values(n?.Containers ?? {});
    return mine.length === 1 && (n?.Peers ?? []).length === 2 ? { mine, peers: n?.Peers ?? [] } : undefined;
  });
  assert.equal(shown.mine[0]?.Name, a.name);
  assert.equal(shown.mine[0]?.IPv4Address.split('/')[0], a.ip);
  assert.deepEqual(shown.peers.map((p) => p.IP).sort(), [s.addr(0), s.addr(1)].sort());
  const ping = await ok(s.engine(0, ['exec', a.name, 'ping', '-c', '3', '-W', '2', b.ip]));
  assert.match(ping, /3 packets transmitted, 3 packets received/);
  const mtu = (await ok(s.engine(1, ['exec', b.name, 'cat', '/sys/class/net/eth0/mtu']))).trim();
  assert.equal(mtu, '1400');
  // 1372 bytes of ICMP payload = 1400-byte packets with DF set cross the VXLAN underlay whole;
  // one byte more does not leave the task (iputils' ping, run in the task's network namespace).
  const pid = (await ok(s.engine(0, ['inspect', '-f', '{{.State.Pid}}', a.name]))).trim();
  const df = (size: number) =>
    s.lab.exec(
      0,
      [
        'nsenter',
        `--net=/proc/${pid}/ns/net`,
        '--',
        'ping',
        '-M',
        'do',
        '-c',
        '2',
        '-W',
        '2',
        '-s',
        String(size),
        b.ip,
      ],
      { check: false },
    );
  const fits = await df(1372);
  assert.equal(fits.code, 0, `a 1400-byte DF ping crosses hosts: ${fits.stdout}${fits.stderr}`);
  assert.match(fits.stdout, /2 received/);
  const tooBig = await df(1373);
  assert.notEqual(tooBig.code, 0, 'a 1401-byte DF ping does not fit the overlay MTU');
  assert.match(tooBig.stdout + tooBig.stderr, /too long|mtu ?= ?1400/i);
});

test('embedded DNS and the VIP: web -> VIP, tasks.web -> both tasks, requests alternate', async () => {
  await ok(
    s.docker(0, [
      'service',
      'create',
      '--name',
      'echo',
      '--network',
      'overnet',
      '--replicas',
      '2',
      'shoal/busybox',
      'sh',
      '-c',
      HTTP_HOSTNAME_SERVER,
    ]),
  );
  const client = await task(0, 'web', 'overnet');
  const a = await task(0, 'echo', 'overnet');
  const b = await task(1, 'echo', 'overnet');
  const inspect = JSON.parse(await ok(s.docker(0, ['service', 'inspect', 'echo']))) as {
    Endpoint: { VirtualIPs: { Addr: string }[] };
  }[];
  const vip = inspect[0]!.Endpoint.VirtualIPs[0]!.Addr.split('/')[0]!;
  const lookup = await eventually('echo to resolve to its VIP', async () => {
    const r = await s.engine(0, ['exec', client.name, 'nslookup', 'echo']);
    return r.code === 0 && r.stdout.includes(vip) ? r.stdout : undefined;
  });
  assert.match(lookup, new RegExp(`Address: ${vip.replace(/\./g, '\\.')}`));
  const tasks = await ok(s.engine(0, ['exec', client.name, 'nslookup', 'tasks.echo']));
  assert.ok(tasks.includes(a.ip) && tasks.includes(b.ip), `tasks.echo lists both tasks: ${tasks}`);
  // As in the seeds' lab: pinging the service by name answers, from its VIP.
  const ping = await ok(s.engine(0, ['exec', client.name, 'ping', '-c', '1', '-W', '2', 'echo']));
  assert.match(ping, new RegExp(`PING echo \\(${vip.replace(/\./g, '\\.')}\\)`));
  assert.match(ping, /1 packets received/);
  // 100 connections to the VIP from a third task: each replica serves 50 ± 2, alternating.
  const loop = 'for i in $(seq 100); do wget -q -O - http://echo/ || echo error; done';
  const seen = (await ok(s.engine(0, ['exec', client.name, 'sh', '-c', loop]))).trim().split('\n');
  assert.equal(seen.length, 100);
  const counts = new Map<string, number>();
  for (const name of seen) counts.set(name, (counts.get(name) ?? 0) + 1);
  assert.equal(counts.size, 2, `round robin over both replicas: ${JSON.stringify([...counts])}`);
  for (const [name, n] of counts) assert.ok(Math.abs(n - 50) <= 2, `${name} served ${n} of 100`);
  for (let i = 1; i < seen.length; i++) assert.notEqual(seen[i], seen[i - 1], 'strict alternation');
});

test('dnsrr mode: the service name resolves to every task address, and there is no VIP', async () => {
  await ok(
    s.docker(0, [
      'service',
      'create',
      '--name',
      'rr',
      '--endpoint-mode',
      'dnsrr',
      '--network',
      'overnet',
      '--replicas',
      '2',
      'shoal/busybox',
      'sleep',
      '100000',
    ]),
  );
  const client = await task(0, 'web', 'overnet');
  const a = await task(0, 'rr', 'overnet');
  const b = await task(1, 'rr', 'overnet');
  const inspect = JSON.parse(await ok(s.docker(0, ['service', 'inspect', 'rr']))) as {
    Endpoint: { VirtualIPs?: unknown[] };
  }[];
  assert.equal(inspect[0]?.Endpoint.VirtualIPs?.length ?? 0, 0, 'no virtual IP in dnsrr mode');
  const lookup = await eventually('rr to resolve to both task addresses', async () => {
    const r = await s.engine(0, ['exec', client.name, 'nslookup', 'rr']);
    return r.code === 0 && r.stdout.includes(a.ip) && r.stdout.includes(b.ip) ? r.stdout : undefined;
  });
  assert.equal((lookup.match(/Address: 10\./g) ?? []).length, 2, lookup);
});

test('a task on two overlays gets an address on each, before its process starts', async () => {
  await ok(s.docker(0, ['network', 'create', '-d', 'overlay', 'second']));
  await ok(
    s.docker(0, [
      'service',
      'create',
      '--name',
      'both',
      '--network',
      'overnet',
      '--network',
      'second',
      '--replicas',
      '1',
      'shoal/busybox',
      'sh',
      '-c',
      'ip -4 -o addr > /tmp/at-start; sleep 100000',
    ]),
  );
  const host = await eventually('the both task to run', async () => {
    for (const h of [0, 1]) {
      const names = (await ok(s.engine(h, ['ps', '--format', '{{.Names}}'])))
        .split('\n')
        .filter((n) => n.startsWith('both.'));
      if (names[0]) return { h, name: names[0] };
    }
    return undefined;
  });
  const atStart = await ok(s.engine(host.h, ['exec', host.name, 'cat', '/tmp/at-start']));
  const addrs = atStart.match(/inet 10\.0\.\d+\.\d+/g) ?? [];
  assert.equal(addrs.length, 2, `two overlay addresses when the process started: ${atStart}`);
});

test('two overlays are isolated from each other', async () => {
  await ok(s.docker(0, ['network', 'create', '-d', 'overlay', 'other']));
  await ok(
    s.docker(0, [
      'service',
      'create',
      '--name',
      'apart',
      '--network',
      'other',
      '--replicas',
      '2',
      'shoal/busybox',
      'sleep',
      '100000',
    ]),
  );
  const web = await task(0, 'web', 'overnet');
  const apart = await task(1, 'apart', 'other');
  const r = await s.engine(0, ['exec', web.name, 'ping', '-c', '2', '-W', '1', apart.ip]);
  assert.notEqual(r.code, 0, 'a task on overnet must not reach a task on other');
});
