// Force-new-cluster with real RaftNodes over loopback gRPC: three members, two lost for good,
// the third's log rewritten; it leads alone with every committed write, takes new members, and
// an old member restarted with its old log never gets its leader's term raised nor leads.

import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { forceNewCluster } from '../force-new-cluster.js';
import { LoopbackCluster, kvCommand } from './loopback-cluster.js';

const clusters: LoopbackCluster[] = [];
after(async () => {
  for (const c of clusters) await c.close();
});

async function until(cond: () => boolean, ms: number, what: string): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

test('3 members, 2 lost: the survivor recovers alone with everything committed, then grows to 3', async () => {
  const c = new LoopbackCluster({ tickMs: 20, snapshotEvery: 20, keepAfterSnapshot: 5 });
  clusters.push(c);
  await c.start(3);
  const leader = await c.waitForLeader();
  // Enough writes to cross a snapshot and a compaction.
  for (let i = 0; i < 45; i++) await leader.propose(kvCommand(`k${i}`, `v${i}`));
  const survivor = [...c.members.values()].find((m) => m.node !== leader)!;
  await until(() => survivor.kv.data.size === 45, 5_000, 'the survivor to apply every write');
  const lost = [...c.members.keys()].filter((id) => id !== survivor.id);
  for (const id of lost) await c.stop(id);
  await c.stop(survivor.id);

  const plan = await forceNewCluster(survivor.dir, { self: survivor.id, address: survivor.address });
  assert.deepEqual([...plan.removed].sort(), [...lost].sort());
  await c.restart(survivor.id);
  const alone = await c.waitForLeader(5_000);
  assert.equal(alone.id, survivor.id);
  assert.deepEqual(alone.status().confState, { voters: [survivor.id], learners: [] });
  assert.deepEqual([...alone.memberAddresses().keys()], [survivor.id]);
  for (let i = 0; i < 45; i++) assert.equal(survivor.kv.data.get(`k${i}`), `v${i}`);
  await alone.propose(kvCommand('after', 'recovery'));

  // Two new members join; the group has three voters again and every member has everything.
  for (const id of [11, 12]) {
    const address = await c.join(id);
    await alone.addMember(id, address, { catchUpTimeoutMs: 10_000 });
  }
  assert.deepEqual([...alone.status().confState.voters].sort(), [11, 12, survivor.id].sort());
  await alone.propose(kvCommand('grown', '3'));
  for (const id of [11, 12]) {
    const m = c.members.get(id)!;
    await until(() => m.kv.data.get('grown') === '3' && m.kv.data.get('k0') === 'v0', 5_000, `member ${id}`);
  }

  // An old member comes back with its old log: it neither leads nor disturbs the leader's term.
  const { term } = alone.status();
  await c.restart(lost[0]!);
  await new Promise((r) => setTimeout(r, 1_500));
  assert.ok(alone.isLeader(), 'the recovered leader still leads');
  assert.equal(alone.status().term, term, 'the old member raised no term');
  assert.equal(c.node(lost[0]!).isLeader(), false);
  assert.ok(!alone.status().confState.voters.includes(lost[0]!));
  await alone.propose(kvCommand('still', 'writable'));
  await c.close();
});
