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
