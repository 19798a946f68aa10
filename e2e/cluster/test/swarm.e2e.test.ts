// The seeds' Swarm lab, end to end, on three lab hosts each running shoald and dockerd, driven
// with the unmodified docker CLI: init, join (manager and worker), node ls, replicated and
// global services converging on real engines, ulimits, the pids limit and mount options on the
// task container, scale, logs, forwarding from a follower manager, a worker refusing manager
// calls, a dead node's tasks rescheduled, and leader failover.

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { ShoalLab, eventually } from '../shoal-lab.js';
import { ok, rows } from '../cli-output.js';

let s: ShoalLab;

before(async () => {
  s = await ShoalLab.create('swarm', 3);
});

after(async () => {
  await s?.destroy();
});

async function containers(h: number): Promise<string[]> {
  const out = await ok(s.engine(h, ['ps', '--format', '{{.Names}}']));
  return out.split('\n').filter((l) => l !== '');
}

async function runningTasks(service: string, via = 0): Promise<string[][]> {
  const out = await ok(s.docker(via, ['service', 'ps', '--filter', 'desired-state=running', service]));
  return rows(out).filter((r) => r[4] === 'Running' && r[5]?.startsWith('Running'));
}

test('swarm init, join as manager and worker, node ls', async () => {
  const init = await ok(s.docker(0, ['swarm', 'init', '--advertise-addr', s.addr(0)]));
  assert.match(init, /Swarm initialized: current node \(\w{25}\) is now a manager\./);
  assert.match(
    init,
    new RegExp(`docker swarm join --token SWMTKN-1-\\w+-\\w+ ${s.addr(0).replace(/\./g, '\\.')}:2377`),
  );

  const workerToken = (await ok(s.docker(0, ['swarm', 'join-token', '-q', 'worker']))).trim();
  const managerToken = (await ok(s.docker(0, ['swarm', 'join-token', '-q', 'manager']))).trim();
  assert.notEqual(workerToken, managerToken);

  // A wrong token is refused with a clear error, and the node stays out of the swarm.
  const bad = await s.docker(2, ['swarm', 'join', '--token', 'SWMTKN-1-nope', `${s.addr(0)}:2377`]);
  assert.notEqual(bad.code, 0);
  assert.match(bad.stderr, /invalid join token/);

  assert.match(
    await ok(s.docker(1, ['swarm', 'join', '--token', managerToken, `${s.addr(0)}:2377`])),
    /This node joined a swarm as a manager\./,
  );
  assert.match(
    await ok(s.docker(2, ['swarm', 'join', '--token', workerToken, `${s.addr(0)}:2377`])),
    /This node joined a swarm as a worker\./,
  );

  const nodes = await eventually('three ready nodes with a leader and a reachable manager', async () => {
    const r = rows(await ok(s.docker(0, ['node', 'ls'])));
    const ready = r.filter((x) => x.includes('Ready')).length;
    const text = r.map((x) => x.join(' ')).join('\n');
    return ready === 3 && /Leader/.test(text) && /Reachable/.test(text) ? r : undefined;
  });
  const byHost = new Map(nodes.map((r) => [r.find((c) => /^node\d$/.test(c)), r.join(' ')]));
  assert.match(byHost.get('node1') ?? '', /\* .*Leader/);
  assert.match(byHost.get('node2') ?? '', /Reachable/);
  assert.doesNotMatch(byHost.get('node3') ?? '', /Leader|Reachable/);
});

test("a worker refuses manager-only calls with Docker's message", async () => {
  const r = await s.docker(2, ['node', 'ls']);
  assert.notEqual(r.code, 0);
  assert.match(
    r.stderr,
    /This node is not a swarm manager\. Worker nodes can't be used to view or modify cluster state/,
  );
});

test('a replicated service converges on the engines and follows scale', async () => {
  const out = await ok(
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
  assert.match(out, /verify: Service (\w+ )?converged/);
  const tasks = await runningTasks('web');
  assert.equal(tasks.length, 3);
  // Spread: one replica per node.
  assert.equal(new Set(tasks.map((t) => t[3])).size, 3);
  for (const h of [0, 1, 2])
    assert.equal((await containers(h)).filter((c) => c.startsWith('web.')).length, 1);

  await ok(s.docker(0, ['service', 'scale', 'web=5']));
  await eventually('5 web containers', async () => {
    const all = (await Promise.all([0, 1, 2].map((h) => containers(h))))
      .flat()
      .filter((c) => c.startsWith('web.'));
    return all.length === 5 ? all : undefined;
  });
  const ls = rows(await ok(s.docker(0, ['service', 'ls'])));
  assert.deepEqual(ls.find((r) => r[1] === 'web')?.slice(1, 4), ['web', 'replicated', '5/5']);
  await ok(s.docker(0, ['service', 'scale', '--detach', 'web=1']));
  await eventually('1 web container', async () => {
    const all = (await Promise.all([0, 1, 2].map((h) => containers(h))))
      .flat()
      .filter((c) => c.startsWith('web.'));
    return all.length === 1 ? all : undefined;
  });
});

test('a global service runs one task per node', async () => {
  await ok(
    s.docker(0, [
      'service',
      'create',
      '--detach',
      '--mode',
      'global',
      '--name',
      'agent',
      'shoal/busybox',
      'sleep',
      '100000',
    ]),
  );
  const tasks = await eventually('3 global tasks running', async () => {
    const t = await runningTasks('agent');
    return t.length === 3 ? t : undefined;
  });
  assert.equal(new Set(tasks.map((t) => t[3])).size, 3);
});

test('ulimits and the pids limit given to docker service create reach the task container', async () => {
  // Debian's docker CLI is 20.10 (API 1.41, the version that added both flags for services).
  await ok(
    s.docker(0, [
      'service',
      'create',
      '--detach',
      '--name',
      'limits',
      '--ulimit',
      'nofile=1024:2048',
      '--limit-pids',
      '100',
      'shoal/busybox',
      'sleep',
      '100000',
    ]),
  );
  const spec = JSON.parse(
    await ok(s.docker(0, ['service', 'inspect', '--format', '{{json .Spec.TaskTemplate}}', 'limits'])),
  ) as { ContainerSpec: { Ulimits?: unknown }; Resources?: { Limits?: { Pids?: number } } };
  assert.deepEqual(spec.ContainerSpec.Ulimits, [{ Name: 'nofile', Hard: 2048, Soft: 1024 }]);
  assert.equal(spec.Resources?.Limits?.Pids, 100);
  const found = await eventually('a running limits container', async () => {
    for (const h of [0, 1, 2]) {
      const out = await ok(
        s.engine(h, ['ps', '-q', '--filter', 'label=com.docker.swarm.service.name=limits']),
      );
      const id = out.trim().split('\n')[0];
      if (id) return { h, id };
    }
    return undefined;
  });
  const host = JSON.parse(
    await ok(s.engine(found.h, ['inspect', '--format', '{{json .HostConfig}}', found.id])),
  ) as { Ulimits?: unknown; PidsLimit?: number };
  assert.deepEqual(host.Ulimits, [{ Name: 'nofile', Hard: 2048, Soft: 1024 }]);
  assert.equal(host.PidsLimit, 100);
  // And the process inside runs under them.
  assert.equal((await ok(s.engine(found.h, ['exec', found.id, 'sh', '-c', 'ulimit -n']))).trim(), '1024');
  await ok(s.docker(0, ['service', 'rm', 'limits']));
});

test('a tmpfs size and a non-recursive bind given to docker service create reach the task container', async () => {
  // Debian's docker CLI 20.10 knows bind-nonrecursive (API 1.40) but not the later bind flags.
  // The source is outside the lab engines' roots (under /tmp): the engine refuses a private bind
  // of a directory holding its own root.
  await ok(
    s.docker(0, [
      'service',
      'create',
      '--detach',
      '--name',
      'mounts',
      '--mount',
      'type=tmpfs,target=/t,tmpfs-size=1m',
      '--mount',
      'type=bind,source=/usr/share,target=/h,bind-nonrecursive=true',
      'shoal/busybox',
      'sleep',
      '100000',
    ]),
  );
  type EngineMount = { Type: string; Target: string; BindOptions?: unknown; TmpfsOptions?: unknown };
  const byTarget = (mounts: EngineMount[] | undefined): Map<string, EngineMount> =>
    new Map((mounts ?? []).map((m) => [m.Target, m]));
  const spec = byTarget(
    JSON.parse(
      await ok(
        s.docker(0, [
          'service',
          'inspect',
          '--format',
          '{{json .Spec.TaskTemplate.ContainerSpec.Mounts}}',
          'mounts',
        ]),
      ),
    ) as EngineMount[],
  );
  assert.deepEqual(spec.get('/t')?.TmpfsOptions, { SizeBytes: 1048576 });
  assert.deepEqual(spec.get('/h')?.BindOptions, { Propagation: 'rprivate', NonRecursive: true });
  const found = await eventually('a running mounts container', async () => {
    for (const h of [0, 1, 2]) {
      const out = await ok(
        s.engine(h, ['ps', '-q', '--filter', 'label=com.docker.swarm.service.name=mounts']),
      );
      const id = out.trim().split('\n')[0];
      if (id) return { h, id };
    }
    return undefined;
  });
  const host = byTarget(
    JSON.parse(
      await ok(s.engine(found.h, ['inspect', '--format', '{{json .HostConfig.Mounts}}', found.id])),
    ) as EngineMount[],
  );
  assert.deepEqual(host.get('/h')?.BindOptions, { Propagation: 'rprivate', NonRecursive: true });
  assert.deepEqual(host.get('/t')?.TmpfsOptions, { SizeBytes: 1048576 });
  // The tmpfs inside is 1 MiB (df's 1K-blocks).
  const df = await ok(s.engine(found.h, ['exec', found.id, 'df', '-k', '/t']));
  assert.match(df.trim().split('\n').at(-1) ?? '', /^tmpfs\s+1024\s/);
  await ok(s.docker(0, ['service', 'rm', 'mounts']));
});

test('service logs gathers the output of every task', async () => {
  await ok(
    s.docker(0, [
      'service',
      'create',
      '--detach',
      '--name',
      'hello',
      '--replicas',
      '2',
      'shoal/busybox',
      'sh',
      '-c',
      'echo hello from $(hostname); sleep 100000',
    ]),
  );
  const logs = await eventually('two hello lines', async () => {
    const r = await s.docker(0, ['service', 'logs', 'hello']);
    const lines = r.stdout.split('\n').filter((l) => l.includes('hello from'));
    return lines.length === 2 ? lines : undefined;
  });
  for (const l of logs) assert.match(l, /^hello\.\d\.\w+@node\d\s+\| hello from /);
});

test('a follower manager forwards writes to the leader', async () => {
  await ok(
    s.docker(1, [
      'service',
      'create',
      '--detach',
      '--name',
      'via-follower',
      'shoal/busybox',
      'sleep',
      '100000',
    ]),
  );
  const ls = rows(await ok(s.docker(0, ['service', 'ls'])));
  assert.ok(ls.some((r) => r[1] === 'via-follower'));
  await ok(s.docker(1, ['service', 'rm', 'via-follower']));
});

test("node promote and demote change a node's role, certificate and Raft membership", async () => {
  await ok(s.docker(0, ['node', 'promote', 'node3']));
  await eventually('node3 to become a reachable manager', async () => {
    const r = rows(await ok(s.docker(0, ['node', 'ls'])));
    return r.some((x) => x.includes('node3') && x.includes('Reachable')) ? true : undefined;
  });
  // node3 now answers manager calls itself.
  await eventually('node3 to serve node ls', async () =>
    (await s.docker(2, ['node', 'ls'])).code === 0 ? true : undefined,
  );
  await ok(s.docker(0, ['node', 'demote', 'node3']));
  await eventually('node3 to be a worker again', async () => {
    const r = rows(await ok(s.docker(0, ['node', 'ls'])));
    const n3 = r.find((x) => x.includes('node3'));
    return n3 && !n3.includes('Reachable') && !n3.includes('Unreachable') && n3.includes('Ready')
      ? true
      : undefined;
  });
  await eventually('node3 to refuse manager calls', async () => {
    const r = await s.docker(2, ['node', 'ls']);
    return r.code !== 0 && /not a swarm manager/.test(r.stderr) ? true : undefined;
  });
});

test('a dead worker is marked down and its tasks are rescheduled', async () => {
  await ok(s.docker(0, ['swarm', 'update', '--dispatcher-heartbeat', '1s']));
  await ok(s.docker(0, ['service', 'scale', '--detach', 'web=3']));
  await eventually('3 web tasks running', async () =>
    (await runningTasks('web')).length === 3 ? true : undefined,
  );
  s.killDaemon(2);
  await s.lab.linkDown(2);
  await eventually(
    'node3 down',
    async () => {
      const r = rows(await ok(s.docker(0, ['node', 'ls'])));
      return r.some((x) => x.includes('node3') && x.includes('Down')) ? true : undefined;
    },
    30_000,
  );
  const moved = await eventually(
    'web back to 3 replicas on node1 and node2',
    async () => {
      const t = await runningTasks('web');
      return t.length === 3 && t.every((x) => x[3] !== 'node3') ? t : undefined;
    },
    30_000,
  );
  assert.equal(moved.length, 3);
});

test('leader failover: the other manager cannot lead alone, and the leader comes back', async () => {
  // Two managers: losing one loses the quorum (as in Swarm); restarting it restores the cluster.
  // Meanwhile the survivor says so in `docker info`, refuses writes in Docker's words, and still
  // answers reads from its last copy (marked stale), which Swarm does not.
  const before = (await runningTasks('web')).map((t) => t[0]).sort();
  assert.equal(before.length, 3);
  s.killDaemon(0);
  await eventually('the surviving manager to report no leader', async () => {
    const x = await s.docker(1, ['info', '--format', '{{.Swarm.Error}}']);
    return x.code === 0 && /does not have a leader/.test(x.stdout) ? x : undefined;
  });
  const write = await s.docker(1, ['service', 'scale', '--detach', 'web=4']);
  assert.notEqual(write.code, 0);
  assert.match(write.stderr, /The swarm does not have a leader/);
  const read = await ok(s.docker(1, ['node', 'ls']));
  assert.ok(
    rows(read).some((r) => r.includes('node2')),
    read,
  );
  await s.startDaemon(0);
  // Restarted, it answers reads from its copy at once, but names no Leader until one is elected.
  await eventually('a leader elected again', async () => {
    const x = await s.docker(0, ['node', 'ls']);
    return x.code === 0 && /Leader/.test(x.stdout) ? x : undefined;
  });
  // The same three tasks run on: the restarted manager adopted its container, nothing was
  // replaced (the new leader's copy may take a moment to apply the last entries of the log).
  const after = await eventually('the same 3 web tasks running', async () => {
    const ids = (await runningTasks('web')).map((t) => t[0]).sort();
    return ids.length === 3 ? ids : undefined;
  });
  assert.deepEqual(after, before, 'the restarted manager adopted its running container');
});
