// Integration: the object store replicated by real RaftNodes over loopback gRPC with LevelDB.
// The cluster is built the way `swarm init` + `swarm join` build it: one member bootstraps,
// the others join as learners and are promoted once caught up.

import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { pino } from 'pino';
import { ReplicatedStore, type ReplicatedStoreOptions } from '../replicated-store.js';
import { NotLeaderError } from '../../../api/errors.js';
import { ConflictError, MalformedCommandError, type StoredObjectBase } from '../../store/index.js';
import { Table } from '../../store/table.js';
import { newService, newTask } from '../../store/test/fixtures.js';
import type { RaftId } from '../../raft/types.js';

const logger = pino({ level: process.env['SHOAL_TEST_LOG'] ?? 'silent' });
const roots: string[] = [];
const open: ReplicatedStore[] = [];

after(async () => {
  for (const s of open) await s.close().catch(() => {});
  for (const r of roots) await rm(r, { recursive: true, force: true });
});

async function until(what: string, cond: () => boolean, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

interface Cluster {
  root: string;
  members: Map<RaftId, ReplicatedStore>;
  opts: Partial<ReplicatedStoreOptions>;
}

async function startMember(
  c: Cluster,
  id: RaftId,
  extra: Partial<ReplicatedStoreOptions>,
): Promise<ReplicatedStore> {
  const s = await ReplicatedStore.open({
    id,
    dataDir: join(c.root, `m${id}`),
    listen: '127.0.0.1:0',
    logger,
    tickMs: 20,
    ...c.opts,
    ...extra,
  });
  open.push(s);
  c.members.set(id, s);
  return s;
}

/** init on member 1, then join members 2..n one by one. */
async function initAndJoin(n: number, opts: Partial<ReplicatedStoreOptions> = {}): Promise<Cluster> {
  const root = await mkdtemp(join(tmpdir(), 'shoal-repl-'));
  roots.push(root);
  const c: Cluster = { root, members: new Map(), opts };
  const first = await startMember(c, 1, { bootstrap: new Map([[1, '']]) });
  await until('the first manager to lead', () => first.raft.isLeader());
  for (let id = 2; id <= n; id++) {
    const m = await startMember(c, id, { join: new Map([[1, first.address]]) });
    await first.raft.addMember(id, m.address, { catchUpTimeoutMs: 10_000 });
  }
  return c;
}

function leaderOf(c: Cluster): ReplicatedStore | undefined {
  return [...c.members.values()].find((m) => m.raft.isLeader());
}

function hashes(c: Cluster): string[] {
  return [...c.members.values()].map((m) => m.store.hash());
}

test('init + join: three managers replicate store transactions and end with identical hashes', async () => {
  const c = await initAndJoin(3);
  const leader = leaderOf(c)!;
  assert.deepEqual(leader.raft.status().confState.voters, [1, 2, 3]);
  await leader.store.update((tx) => tx.create('services', newService('svc1', 'web')));
  await leader.store.update((tx) => {
    for (let i = 1; i <= 5; i++) tx.create('tasks', newTask(`t${i}`, 'svc1', i));
  });
  await until(
    'every member to apply',
    () =>
      new Set(hashes(c)).size === 1 &&
      [...c.members.values()].every((m) => m.store.view((tx) => tx.count('tasks')) === 5),
  );
  const follower = [...c.members.values()].find((m) => m !== leader)!;
  assert.equal(follower.store.view((tx) => tx.getByName('services', 'web'))?.id, 'svc1');
  // Writes on a follower are refused with a pointer to the leader.
  await assert.rejects(
    follower.store.update((tx) => tx.create('services', newService('svc2', 'api'))),
    (e: unknown) => e instanceof NotLeaderError && e.message.includes(leader.address),
  );
});

test('a stale version is refused through Raft identically on every member', async () => {
  const c = await initAndJoin(3);
  const leader = leaderOf(c)!;
  await leader.store.update((tx) => tx.create('services', newService('s', 'web')));
  const v1 = leader.store.view((tx) => tx.get('services', 's'))!;
  await leader.store.update((tx) =>
    tx.update('services', { ...v1, spec: { ...v1.spec, labels: { a: '1' } } }),
  );
  await assert.rejects(
    leader.store.update((tx) => tx.update('services', { ...v1, spec: { ...v1.spec, labels: { a: '2' } } })),
    ConflictError,
  );
  await until('convergence', () => new Set(hashes(c)).size === 1);
  for (const m of c.members.values()) {
    await until(
      `member ${m.raft.id}`,
      () => m.store.view((tx) => tx.get('services', 's'))?.spec.labels['a'] === '1',
    );
  }
});

test('leader failover, restart, and catch-up from a snapshot end in identical stores', async () => {
  const c = await initAndJoin(3, { snapshotEvery: 25, keepAfterSnapshot: 5 });
  let leader = leaderOf(c)!;
  await leader.store.update((tx) => tx.create('services', newService('svc', 'web')));
  for (let i = 0; i < 40; i++)
    await leader.store.update((tx) => tx.create('tasks', newTask(`a${i}`, 'svc', i + 1)));

  // Stop a follower; write enough for the leader to snapshot and compact past it.
  const laggingId = [...c.members.keys()].find((id) => id !== leader.raft.id)!;
  const lagging = c.members.get(laggingId)!;
  const laggingDir = join(c.root, `m${laggingId}`);
  const laggingAddr = lagging.address;
  await lagging.close();
  c.members.delete(laggingId);
  for (let i = 0; i < 60; i++)
    await leader.store.update((tx) => tx.create('tasks', newTask(`b${i}`, 'svc', 100 + i)));

  // Bring the stopped member back on its old address and data: it is now behind the leader's
  // compacted log and must catch up from a snapshot. Then stop the leader: the two left elect one.
  const back = await startMember(c, laggingId, { dataDir: laggingDir, listen: laggingAddr });
  await until(
    'the restarted member to catch up',
    () => back.store.view((tx) => tx.count('tasks')) === 100,
    15_000,
  );
  const oldLeaderId = leader.raft.id;
  await leader.close();
  c.members.delete(oldLeaderId);
  await until('a new leader', () => leaderOf(c) !== undefined);
  leader = leaderOf(c)!;
  await leader.store.update((tx) => tx.create('tasks', newTask('after-failover', 'svc', 999)));

  // Restart the old leader from its disk: it rejoins and converges.
  const oldAddr = addressOf(oldLeaderId, leader);
  await startMember(c, oldLeaderId, { dataDir: join(c.root, `m${oldLeaderId}`), listen: oldAddr });
  await until(
    'all three to converge',
    () =>
      c.members.size === 3 &&
      new Set(hashes(c)).size === 1 &&
      [...c.members.values()].every((m) => m.store.view((tx) => tx.count('tasks')) === 101),
    15_000,
  );
});

function addressOf(id: RaftId, via: ReplicatedStore): string {
  const a = via.raft.memberAddresses().get(id);
  if (!a) throw new Error(`member ${id} has no recorded address`);
  return a;
}

test('entries that are malformed or throw while applied are refused alike on every member; the log moves on', async () => {
  const c = await initAndJoin(3);
  const leader = leaderOf(c)!;
  await leader.store.update((tx) => tx.create('services', newService('s', 'web')));
  await until('convergence', () => new Set(hashes(c)).size === 1);
  const before = leader.store.hash();
  // Entries no writer of this version makes, proposed straight into the log.
  const deep = `${'['.repeat(200_000)}${']'.repeat(200_000)}`;
  const entries: Uint8Array[] = [
    Buffer.from('not json'),
    Buffer.from([0xff, 0xfe, 0x00]),
    Buffer.from(`{"v":1,"ops":[{"op":"create","table":"tasks","object":${deep}}]}`),
    Buffer.from('{"v":1,"ops":[{"op":"create","table":"volumes","object":{}}]}'),
    Buffer.from('{"v":1,"ops":[{"op":"delete","table":"services","id":"s","version":1e300}]}'),
  ];
  // And one that passes every check but throws half-way through applying (a broken invariant
  // the check did not foresee), on every member alike.
  // eslint-disable-next-line @typescript-eslint/unbound-method -- put back, and called with .call
  const insert = Table.prototype.insert;
  Table.prototype.insert = function (this: Table<StoredObjectBase>, obj: StoredObjectBase): void {
    if (obj.id === 'throws-in-apply') throw new Error('index refused the object');
    insert.call(this, obj);
  };
  try {
    for (const entry of entries) {
      await assert.rejects(leader.raft.propose(entry), MalformedCommandError);
    }
    await assert.rejects(
      leader.store.update((tx) => {
        const s = tx.get('services', 's')!;
        tx.update('services', { ...s, spec: { ...s.spec, labels: { half: 'applied' } } });
        tx.create('tasks', newTask('t-before', 's', 1));
        tx.create('tasks', newTask('throws-in-apply', 's', 2));
      }),
      MalformedCommandError,
    );
    await until('every member to apply the refusals', () =>
      [...c.members.values()].every((m) => m.store.appliedIndex === leader.store.appliedIndex),
    );
  } finally {
    Table.prototype.insert = insert;
  }
  assert.deepEqual(hashes(c), [before, before, before], 'nothing changed, on any member');
  // Later entries apply everywhere.
  await leader.store.update((tx) => tx.create('tasks', newTask('t-after', 's', 1)));
  await until(
    'the later entry everywhere',
    () =>
      new Set(hashes(c)).size === 1 &&
      [...c.members.values()].every((m) => m.store.view((tx) => tx.get('tasks', 't-after')) !== undefined),
  );
  assert.ok(leader.raft.isLeader(), 'the leader kept leading');
});
