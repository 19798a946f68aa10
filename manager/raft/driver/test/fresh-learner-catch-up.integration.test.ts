// Integration: a fresh, empty member added to a cluster whose only snapshot is the bootstrap one
// (index 1) while its log holds thousands of entries must catch up from the log (the lab saw
// such a learner install the index-1 snapshot and then receive nothing more).

import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { after, test } from 'node:test';
import { pino } from 'pino';
import { LoopbackCluster, kvCommand } from './loopback-cluster.js';

const clusters: LoopbackCluster[] = [];
after(async () => {
  for (const c of clusters) await c.close();
});

test('a fresh learner catches up from a long log behind the bootstrap snapshot', async () => {
  // Stream failures are logged at debug level: count those over the gRPC message limit.
  let oversized = 0;
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const line of chunk.toString().split('\n')) if (line.includes('RESOURCE_EXHAUSTED')) oversized++;
      done();
    },
  });
  // A 4 MB gRPC limit stands for the 64 MB default at a smaller scale: the log (~12 MB) spans
  // more appends of maxSizePerMsg (1 MB) than one gRPC message may carry.
  const c = new LoopbackCluster({
    snapshotEvery: 1_000_000,
    maxMessageSize: 4 * 1024 * 1024,
    logger: pino({ level: 'debug' }, sink),
  });
  clusters.push(c);
  await c.start(3);
  const leader = await c.waitForLeader();
  // Entries of ~2 KB, like service specs.
  const pad = 'x'.repeat(2_000);
  const writes = 6_000;
  for (let i = 0; i < writes; i += 200) {
    const batch: Promise<unknown>[] = [];
    for (let j = i; j < i + 200; j++) batch.push(leader.propose(kvCommand(`k${j}`, `${j}:${pad}`)));
    await Promise.all(batch);
  }
  const removed = [...c.members.keys()].find((id) => id !== leader.id)!;
  await leader.removeMember(removed);
  await c.stop(removed);
  const address = await c.join(9);
  const started = Date.now();
  const conf = await leader.addMember(9, address, { catchUpTimeoutMs: 20_000 });
  assert.ok(conf.voters.includes(9), 'the new member was promoted to voter');
  const m = c.members.get(9)!;
  for (let i = 0; i < 1_000 && m.kv.data.size < writes; i++) await new Promise((r) => setTimeout(r, 10));
  assert.equal(m.kv.data.size, writes);
  assert.ok(Date.now() - started < 20_000);
  assert.equal(oversized, 0, 'no batch went over the gRPC message limit (each one fails the stream)');
});

test('a fresh learner catches up when the leader joined after the snapshot it is sent', async () => {
  // The lab's case: member 1 bootstrapped the cluster (the snapshot at index 1 names only it),
  // 2 and 3 joined later, 1 was removed; 3 leads and sends that snapshot to a new member, which
  // must still answer 3 (whose address the snapshot does not hold).
  const c = new LoopbackCluster({ snapshotEvery: 1_000_000 });
  clusters.push(c);
  await c.start(1);
  const first = await c.waitForLeader();
  for (const id of [2, 3]) await first.addMember(id, await c.join(id), { catchUpTimeoutMs: 10_000 });
  for (let i = 0; i < 300; i++) await first.propose(kvCommand(`k${i}`, String(i)));
  first.transferLeadership(3);
  const end = Date.now() + 10_000;
  while (!c.node(3).isLeader() && Date.now() < end) await new Promise((r) => setTimeout(r, 10));
  const leader = c.node(3);
  assert.ok(leader.isLeader());
  await leader.removeMember(1);
  await c.stop(1);
  const address = await c.join(9);
  const conf = await leader.addMember(9, address, { catchUpTimeoutMs: 10_000 });
  assert.deepEqual([...conf.voters].sort(), [2, 3, 9]);
  const m = c.members.get(9)!;
  for (let i = 0; i < 500 && m.kv.data.size < 300; i++) await new Promise((r) => setTimeout(r, 10));
  assert.equal(m.kv.data.size, 300);
});
