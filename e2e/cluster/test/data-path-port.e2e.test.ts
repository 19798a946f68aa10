// `docker swarm init --data-path-port 7789` on a two-host lab: the swarm reports the port, the
// VXLAN devices of an overlay are made with it on both hosts (none on 4789), and tasks on the
// overlay reach each other across hosts through it.

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { ShoalLab, eventually } from '../shoal-lab.js';
import { ok } from '../cli-output.js';

let s: ShoalLab;

before(async () => {
  s = await ShoalLab.create('dpport', 2);
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

/** The UDP ports of the VXLAN devices on host h (`ip -d -j link show type vxlan`). */
async function vxlanPorts(h: number): Promise<number[]> {
  const r = await s.lab.exec(h, ['ip', '-d', '-j', 'link', 'show', 'type', 'vxlan']);
  const links = JSON.parse(r.stdout.trim() === '' ? '[]' : r.stdout) as {
    linkinfo?: { info_data?: { port?: number } };
  }[];
  return links.map((l) => l.linkinfo?.info_data?.port ?? 0);
}

test('swarm init --data-path-port 7789: overlay tasks reach each other over UDP 7789', async () => {
  const refused = await s.docker(0, [
    'swarm',
    'init',
    '--advertise-addr',
    s.addr(0),
    '--data-path-port',
    '80',
  ]);
  assert.notEqual(refused.code, 0);
  assert.match(refused.stderr, /Datapath port number is not in valid range \(1024-49151\) : 80/);

  await ok(s.docker(0, ['swarm', 'init', '--advertise-addr', s.addr(0), '--data-path-port', '7789']));
  const token = (await ok(s.docker(0, ['swarm', 'join-token', '-q', 'worker']))).trim();
  await ok(s.docker(1, ['swarm', 'join', '--token', token, `${s.addr(0)}:2377`]));
  await eventually('two ready nodes', async () => {
    const out = await ok(s.docker(0, ['node', 'ls']));
    return (out.match(/\bReady\b/g) ?? []).length === 2 ? true : undefined;
  });
  assert.match(await ok(s.docker(0, ['info'])), /Data Path Port: 7789/);

  await ok(s.docker(0, ['network', 'create', '-d', 'overlay', 'portnet']));
  await ok(
    s.docker(0, [
      'service',
      'create',
      '--detach',
      '--name',
      'pinger',
      '--network',
      'portnet',
      '--replicas',
      '2',
      '--replicas-max-per-node',
      '1',
      'shoal/busybox',
      'sleep',
      '100000',
    ]),
  );
  const a = await task(0, 'pinger', 'portnet');
  const b = await task(1, 'pinger', 'portnet');
  for (const h of [0, 1]) {
    const ports = await eventually(`VXLAN devices on host ${h + 1}`, async () => {
      const p = await vxlanPorts(h);
      return p.length > 0 ? p : undefined;
    });
    assert.ok(
      ports.every((p) => p === 7789),
      `host ${h + 1}: every VXLAN device on 7789, not ${ports.join(',')}`,
    );
  }
  const ping = await ok(s.engine(0, ['exec', a.name, 'ping', '-c', '3', '-W', '2', b.ip]));
  assert.match(ping, /3 packets transmitted, 3 packets received/);
});
