// The same flows with the `shoal` CLI in place of `docker`, on two lab hosts: init, join-token,
// join, node ls, service create with progress, ps, scale, inspect --pretty, drain a node (its
// tasks move), rm.

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { ShoalLab, eventually } from '../shoal-lab.js';
import { ok, rows } from '../cli-output.js';

let s: ShoalLab;

before(async () => {
  s = await ShoalLab.create('cli', 2);
});

after(async () => {
  await s?.destroy();
});

test('shoal swarm init / join-token / join / node ls', async () => {
  const init = await ok(s.shoal(0, ['swarm', 'init', '--advertise-addr', s.addr(0)]));
  assert.match(init, /Swarm initialized: current node \(\w{25}\) is now a manager\./);
  assert.match(init, /shoal swarm join --token SWMTKN-1-/);
  const jt = await ok(s.shoal(0, ['swarm', 'join-token', 'worker']));
  assert.match(
    jt,
    new RegExp(`shoal swarm join --token SWMTKN-1-\\w+-\\w+ ${s.addr(0).replace(/\./g, '\\.')}:2377`),
  );
  const token = (await ok(s.shoal(0, ['swarm', 'join-token', '-q', 'worker']))).trim();
  assert.match(
    await ok(s.shoal(1, ['swarm', 'join', '--token', token, `${s.addr(0)}:2377`])),
    /This node joined a swarm as a worker\./,
  );
  await eventually('two ready nodes', async () => {
    const r = rows(await ok(s.shoal(0, ['node', 'ls'])));
    return r.length === 2 && r.every((x) => x.includes('Ready')) ? r : undefined;
  });
});

test('shoal service create converges with progress; ps, scale, inspect --pretty', async () => {
  const out = await ok(
    s.shoal(0, ['service', 'create', '--name', 'web', '--replicas', '2', 'shoal/busybox', 'sleep', '100000']),
  );
  assert.match(out, /overall progress: 2 out of 2 tasks/);
  assert.match(out, /verify: Service converged/);
  const ps = rows(await ok(s.shoal(0, ['service', 'ps', 'web'])));
  assert.equal(ps.filter((r) => r[4] === 'Running').length, 2);
  assert.equal(new Set(ps.map((r) => r[3])).size, 2, 'one replica per node');
  await ok(s.shoal(0, ['service', 'scale', 'web=4']));
  const ls = rows(await ok(s.shoal(0, ['service', 'ls'])));
  assert.equal(ls.find((r) => r[1] === 'web')?.[3], '4/4');
  const pretty = await ok(s.shoal(0, ['service', 'inspect', '--pretty', 'web']));
  assert.match(pretty, /Name:\s+web/);
  assert.match(pretty, /Replicas:\s+4/);
});

test('draining a node moves its tasks to the other node', async () => {
  await ok(s.shoal(0, ['node', 'update', '--availability', 'drain', 'node2']));
  await eventually('all web tasks on node1', async () => {
    const r = rows(await ok(s.shoal(0, ['service', 'ps', '--filter', 'desired-state=running', 'web'])));
    return r.length === 4 && r.every((x) => x[3] === 'node1' && x[5]?.startsWith('Running')) ? r : undefined;
  });
  const containers = (await ok(s.engine(1, ['ps', '-q']))).trim();
  assert.equal(containers, '', 'node2 runs no container after the drain');
  await ok(s.shoal(0, ['node', 'update', '--availability', 'active', 'node2']));
  await ok(s.shoal(0, ['service', 'rm', 'web']));
  await eventually('no web container left', async () => {
    const a = (await ok(s.engine(0, ['ps', '-q']))).trim();
    return a === '' ? true : undefined;
  });
});
