// A one-host swarm advertised on loopback, as a user trying shoal on a laptop does:
// `docker swarm init --advertise-addr 127.0.0.1` works (the overlay MTU is not taken from lo's
// 65536, which the kernel refuses for a bridge or a VXLAN device), and a task on an overlay runs
// with Docker's default overlay MTU.

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { ShoalLab, eventually } from '../shoal-lab.js';
import { ok } from '../cli-output.js';

let s: ShoalLab;

before(async () => {
  s = await ShoalLab.create('loopinit', 1);
});

after(async () => {
  await s?.destroy();
});

test('swarm init --advertise-addr 127.0.0.1, then a task on an overlay', { timeout: 120_000 }, async () => {
  await ok(s.docker(0, ['swarm', 'init', '--advertise-addr', '127.0.0.1']));
  await ok(s.docker(0, ['network', 'create', '-d', 'overlay', 'loopnet']));
  await ok(
    s.docker(0, [
      'service',
      'create',
      '--detach',
      '--name',
      'loop',
      '--network',
      'loopnet',
      'shoal/busybox',
      'sleep',
      '100000',
    ]),
  );
  const id = await eventually('the task running', async () => {
    const out = await ok(s.engine(0, ['ps', '-q', '--filter', 'label=com.docker.swarm.service.name=loop']));
    return out.trim().split('\n')[0] || undefined;
  });
  const mtu = await ok(s.engine(0, ['exec', id, 'cat', '/sys/class/net/eth0/mtu']));
  assert.equal(mtu.trim(), '1450');
});
