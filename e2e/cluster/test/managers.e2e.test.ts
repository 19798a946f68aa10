// Three managers and a late worker, with the unmodified docker CLI: a token pinning another CA
// is refused; a manager and the worker join through a follower manager; 6 replicas spread
// 2/2/2; a global service reaches a node that joins later; a container killed behind the agent's
// back is replaced; a start-first rolling update; a manager leaves with --force (out of the Raft
// group) and joins again; the leader's daemon killed: the two others elect a leader and keep
// serving.

import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { after, before, test } from 'node:test';
import { ShoalLab, eventually } from '../shoal-lab.js';
import { ok, rows } from '../cli-output.js';

let s: ShoalLab;

before(async () => {
  s = await ShoalLab.create('mgrs', 4);
});

after(async () => {
  await s?.destroy();
});

async function running(service: string, via = 0): Promise<string[][]> {
  const out = await ok(s.docker(via, ['service', 'ps', '--filter', 'desired-state=running', service]));
  return rows(out).filter((r) => r[4] === 'Running' && r[5]?.startsWith('Running'));
}

test('three managers form a swarm; a token for another CA is refused', async () => {
  await ok(s.docker(0, ['swarm', 'init', '--advertise-addr', s.addr(0)]));
  const token = (await ok(s.docker(0, ['swarm', 'join-token', '-q', 'manager']))).trim();
  // Same shape, but the CA digest part names another CA: the joiner must not trust this manager.
  const parts = token.split('-');
  const digest = parts[2]!;
  const wrong = [
    ...parts.slice(0, 2),
    digest.slice(0, -1) + (digest.endsWith('0') ? '1' : '0'),
    parts[3],
  ].join('-');
  const refused = await s.docker(3, ['swarm', 'join', '--token', wrong, `${s.addr(0)}:2377`]);
  assert.notEqual(refused.code, 0);
  assert.match(refused.stderr, /digest|root CA/i);
  await ok(s.docker(1, ['swarm', 'join', '--token', token, `${s.addr(0)}:2377`]));
  // The third manager joins through the second (a follower): its CA's record goes to the
  // leader, and the Raft join is redirected there.
  await ok(s.docker(2, ['swarm', 'join', '--token', token, `${s.addr(1)}:2377`]));
  await eventually('three managers, one leader, two reachable', async () => {
    const text = (await ok(s.docker(0, ['node', 'ls']))).trim();
    const ready = (text.match(/\bReady\b/g) ?? []).length;
    return (text.match(/Reachable/g) ?? []).length === 2 && /Leader/.test(text) && ready === 3
      ? text
      : undefined;
  });
});

test('six replicas spread 2/2/2', async () => {
  await ok(
    s.docker(0, [
      'service',
      'create',
      '--name',
      'six',
      '--replicas',
      '6',
      'shoal/busybox',
      'sleep',
      '100000',
    ]),
  );
  const tasks = await running('six');
  assert.equal(tasks.length, 6);
  const perNode = new Map<string, number>();
  for (const t of tasks) perNode.set(t[3]!, (perNode.get(t[3]!) ?? 0) + 1);
  assert.deepEqual([...perNode.values()].sort(), [2, 2, 2]);
});

test('a global service reaches a node that joins later', async () => {
  await ok(
    s.docker(0, [
      'service',
      'create',
      '--detach',
      '--mode',
      'global',
      '--name',
      'everywhere',
      'shoal/busybox',
      'sleep',
      '100000',
    ]),
  );
  await eventually('3 global tasks', async () =>
    (await running('everywhere')).length === 3 ? true : undefined,
  );
  const worker = (await ok(s.docker(0, ['swarm', 'join-token', '-q', 'worker']))).trim();
  // Through a follower manager, as a user-data script pointed at any manager does.
  await ok(s.docker(3, ['swarm', 'join', '--token', worker, `${s.addr(2)}:2377`]));
  const tasks = await eventually('4 global tasks, one on node4', async () => {
    const t = await running('everywhere');
    return t.length === 4 && t.some((x) => x[3] === 'node4') ? t : undefined;
  });
  assert.equal(new Set(tasks.map((t) => t[3])).size, 4);
});

test("a container killed behind the agent's back is replaced (restart policy any)", async () => {
  const names = (await ok(s.engine(1, ['ps', '--format', '{{.Names}}'])))
    .split('\n')
    .filter((n) => n.startsWith('six.'));
  const victim = names[0]!;
  await ok(s.engine(1, ['kill', victim]));
  await eventually('the slot running again with a new task, the old one failed', async () => {
    const all = rows(await ok(s.docker(0, ['service', 'ps', 'six'])));
    const failed = all.some((r) => r.some((c) => /Failed/.test(c)));
    return failed && (await running('six')).length === 6 ? true : undefined;
  });
});

test('a start-first rolling update replaces every task', async () => {
  const before = new Set((await running('six')).map((t) => t[0]));
  const out = await ok(
    s.docker(0, [
      'service',
      'update',
      '--update-order',
      'start-first',
      '--update-parallelism',
      '2',
      '--env-add',
      'ROLLED=1',
      'six',
    ]),
  );
  assert.match(out, /verify: Service (\w+ )?converged/);
  const after = await running('six');
  assert.equal(after.length, 6);
  assert.ok(
    after.every((t) => !before.has(t[0])),
    'every running task is new',
  );
  const inspect = JSON.parse(await ok(s.docker(0, ['service', 'inspect', 'six']))) as {
    Spec: { TaskTemplate: { ContainerSpec: { Env?: string[] } } };
    UpdateStatus?: { State: string };
  }[];
  assert.deepEqual(inspect[0]?.Spec.TaskTemplate.ContainerSpec.Env, ['ROLLED=1']);
  assert.equal(inspect[0]?.UpdateStatus?.State, 'completed');
});

test('a manager that leaves with --force leaves the Raft group, and can join again', async () => {
  await ok(s.docker(2, ['swarm', 'leave', '--force']));
  const log = await readFile(s.logFile(2), 'utf8');
  assert.match(log, /left the Raft group/);
  const token = (await ok(s.docker(0, ['swarm', 'join-token', '-q', 'manager']))).trim();
  await ok(s.docker(2, ['swarm', 'join', '--token', token, `${s.addr(0)}:2377`]));
  // Three voters again, not four: the next test loses one and must keep its quorum.
  await eventually('node3 a reachable manager again', async () => {
    const r = rows(await ok(s.docker(0, ['node', 'ls'])));
    return r.filter((x) => x.includes('node3') && x.includes('Reachable')).length === 1 ? true : undefined;
  });
});

test('kill the leader: the two other managers elect one and keep serving', async () => {
  s.killDaemon(0);
  const text = await eventually(
    'a new leader on node2 or node3',
    async () => {
      const r = await s.docker(1, ['node', 'ls']);
      if (r.code !== 0) return undefined;
      return rows(r.stdout).some((x) => (x.includes('node2') || x.includes('node3')) && x.includes('Leader'))
        ? r.stdout
        : undefined;
    },
    30_000,
  );
  assert.match(text, /Leader/);
  await ok(s.docker(2, ['service', 'scale', '--detach', 'six=3']));
  await eventually('six scaled to 3 through the new leader', async () =>
    (await running('six', 1)).length === 3 ? true : undefined,
  );
});
