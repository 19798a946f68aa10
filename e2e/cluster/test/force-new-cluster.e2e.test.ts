// Disaster recovery on a three-host lab cluster, driven with the unmodified docker CLI: three
// managers run a service; two managers are lost (shoald killed; one keeps its old state on disk,
// the other's is wiped as a dead machine's would be); the survivor has no quorum, and `docker
// swarm init --force-new-cluster` on it brings the swarm back with the service and its tasks,
// writable. The old manager restarted with its old state is refused (its log says to leave and
// join again) and cannot disturb the recovered leader; after `swarm leave --force` it joins
// again, a fresh machine joins too, and the swarm has three managers; the two lost managers'
// node entries are demoted and removed.

import assert from 'node:assert/strict';
import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { ShoalLab, eventually } from '../shoal-lab.js';
import { ok, rows } from '../cli-output.js';

let s: ShoalLab;
/** The lost managers' node IDs (before they join again as new nodes). */
let lostIds: string[] = [];

before(async () => {
  s = await ShoalLab.create('fnc', 3);
  await ok(s.docker(0, ['swarm', 'init', '--advertise-addr', s.addr(0)]));
  const token = (await ok(s.docker(0, ['swarm', 'join-token', '-q', 'manager']))).trim();
  for (const h of [1, 2]) await ok(s.docker(h, ['swarm', 'join', '--token', token, `${s.addr(0)}:2377`]));
  await eventually('three managers, one leader, two reachable', async () => {
    const text = (await ok(s.docker(0, ['node', 'ls']))).trim();
    return (text.match(/Reachable/g) ?? []).length === 2 && /Leader/.test(text) ? text : undefined;
  });
});

after(async () => {
  await s?.destroy();
});

async function running(service: string, via = 0): Promise<string[][]> {
  const out = await ok(s.docker(via, ['service', 'ps', '--filter', 'desired-state=running', service]));
  return rows(out).filter((r) => r[4] === 'Running' && r[5]?.startsWith('Running'));
}

async function nodeId(h: number): Promise<string> {
  return (await ok(s.docker(h, ['info', '--format', '{{.Swarm.NodeID}}']))).trim();
}

test('two managers lost for good: force-new-cluster on the third keeps the service and its tasks', async () => {
  await ok(
    s.docker(0, [
      'service',
      'create',
      '--name',
      'web',
      '--replicas',
      '3',
      'shoal/busybox',
      'sleep',
      '100000',
    ]),
  );
  await eventually(
    'three running tasks',
    async () => ((await running('web')).length === 3 ? true : undefined),
    90_000,
  );
  const before = (await ok(s.docker(0, ['service', 'ps', '-q', 'web']))).trim().split('\n').sort();
  lostIds = [await nodeId(1), await nodeId(2)];

  s.killDaemon(1);
  s.killDaemon(2);
  // Host 3's machine is gone: nothing of its state survives.
  await rm(join(s.dataRoot(2), 'swarm'), { recursive: true, force: true });
  await eventually('the survivor to lose its leader', async () => {
    const r = await s.docker(0, ['service', 'scale', 'web=3']);
    return r.code !== 0 && /does not have a leader/.test(r.stderr) ? true : undefined;
  });

  const out = await ok(s.docker(0, ['swarm', 'init', '--force-new-cluster', '--advertise-addr', s.addr(0)]));
  assert.match(out, /Swarm initialized/);
  await eventually('the recovered manager to lead', async () => {
    const text = await ok(s.docker(0, ['node', 'ls']));
    return /Leader/.test(text) ? text : undefined;
  });
  assert.match(await ok(s.docker(0, ['service', 'ls'])), /web\s+replicated/);
  const after = (await ok(s.docker(0, ['service', 'ps', '-q', 'web']))).trim().split('\n');
  for (const id of before) assert.ok(after.includes(id), `task ${id} kept`);
  // The lost managers are still listed, as managers nobody reaches.
  const nodes = await ok(s.docker(0, ['node', 'ls']));
  for (const id of lostIds) assert.match(nodes, new RegExp(`${id}.*Unreachable`));
  // Writes succeed: the swarm has a leader again.
  await ok(s.docker(0, ['service', 'scale', 'web=4']));
  await eventually(
    'four running tasks',
    async () => ((await running('web')).length === 4 ? true : undefined),
    90_000,
  );
});

test('an old manager back with its old state is refused, and does not disturb the leader', async () => {
  await s.startDaemon(1);
  await eventually(
    'the old manager to log its refusal',
    async () => {
      const log = await readFile(s.logFile(1), 'utf8');
      return /swarm init --force-new-cluster/.test(log) && /swarm leave --force/.test(log) ? true : undefined;
    },
    60_000,
  );
  const nodes = await ok(s.docker(0, ['node', 'ls']));
  assert.match(nodes, new RegExp(`${await nodeId(0)}.*Leader`));
  assert.equal((await running('web')).length, 4);
  await ok(s.docker(0, ['service', 'scale', 'web=3']));
});

test('the old manager leaves and joins again, a fresh one joins: three managers; the lost entries go', async () => {
  await ok(s.docker(1, ['swarm', 'leave', '--force']));
  await s.startDaemon(2);
  const token = (await ok(s.docker(0, ['swarm', 'join-token', '-q', 'manager']))).trim();
  for (const h of [1, 2]) await ok(s.docker(h, ['swarm', 'join', '--token', token, `${s.addr(0)}:2377`]));
  await eventually('three managers again: one leader, two reachable', async () => {
    const text = (await ok(s.docker(0, ['node', 'ls']))).trim();
    return (text.match(/Reachable/g) ?? []).length === 2 && /Leader/.test(text) ? text : undefined;
  });
  for (const id of lostIds) {
    await ok(s.docker(0, ['node', 'demote', id]));
    await eventually(`${id} demoted`, async () => {
      const r = await s.docker(0, ['node', 'rm', '--force', id]);
      return r.code === 0 ? true : undefined;
    });
  }
  const text = await ok(s.docker(0, ['node', 'ls']));
  for (const id of lostIds) assert.doesNotMatch(text, new RegExp(id));
  // A write through a new manager (forwarded to the leader) works.
  await ok(s.docker(1, ['service', 'scale', 'web=2']));
  await eventually(
    'two running tasks',
    async () => ((await running('web', 1)).length === 2 ? true : undefined),
    90_000,
  );
});
