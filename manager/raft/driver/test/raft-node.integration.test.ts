// Integration: three real RaftNodes over gRPC on loopback with LevelDB on disk.

import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import * as grpc from '@grpc/grpc-js';
import { LoopbackCluster, kvCommand } from './loopback-cluster.js';
import { NotLeaderError } from '../../../../api/errors.js';

const clusters: LoopbackCluster[] = [];
after(async () => {
  for (const c of clusters) await c.close();
});

async function cluster(
  n: number,
  opts: ConstructorParameters<typeof LoopbackCluster>[0] = {},
): Promise<LoopbackCluster> {
  const c = new LoopbackCluster(opts);
  clusters.push(c);
  await c.start(n);
  return c;
}

test('a proposal on the leader resolves once applied, and every member applies it', async () => {
  const c = await cluster(3);
  const leader = await c.waitForLeader();
  const index = await leader.propose(kvCommand('a', '1'));
  assert.equal(typeof index, 'number');
  // Every member converges on the value.
  for (let i = 0; i < 200; i++) {
    if ([...c.members.values()].every((m) => m.kv.data.get('a') === '1')) break;
    await new Promise((r) => setTimeout(r, 10));
  }
  for (const m of c.members.values()) assert.equal(m.kv.data.get('a'), '1', `member ${m.id}`);
  await c.close();
});

test('a follower refuses proposals with the leader it knows', async () => {
  const c = await cluster(3);
  const leader = await c.waitForLeader();
  await leader.propose(kvCommand('x', 'y'));
  const follower = [...c.members.values()].find((m) => m.node && m.node !== leader)!.node!;
  await assert.rejects(follower.propose(kvCommand('b', '2')), (e: unknown) => {
    assert.ok(e instanceof NotLeaderError);
    assert.equal(e.leaderId, leader.id);
    assert.match(e.message, /the leader is member \d+ at 127\.0\.0\.1:\d+/);
    return true;
  });
  await c.close();
});

test('kill the leader: a new leader commits within the election timeout', async () => {
  const tickMs = 20;
  const c = await cluster(3, { tickMs });
  const old = await c.waitForLeader();
  await old.propose(kvCommand('before', '1'));
  const killedAt = Date.now();
  await c.stop(old.id);
  const next = await c.waitForLeader(5_000);
  await next.propose(kvCommand('after', '1'));
  const took = Date.now() - killedAt;
  // Election timeout is 10..20 ticks after the last heartbeat; allow the randomized upper bound
  // plus a commit round trip and generous scheduling slack on a loaded CI machine.
  const bound = 20 * tickMs * 5;
  assert.ok(took < bound, `new leader committed after ${took} ms (bound ${bound} ms)`);
  assert.notEqual(next.id, old.id);
  console.log(`failover: new leader ${next.id} committed ${took} ms after the old leader stopped`);
  await c.close();
});

test('restart all three: nothing acknowledged is lost', async () => {
  const c = await cluster(3, { snapshotEvery: 50, keepAfterSnapshot: 10 });
  const leader = await c.waitForLeader();
  const acked: string[] = [];
  // Enough writes to cross several snapshots and compactions.
  await Promise.all(
    Array.from({ length: 180 }, async (_, i) => {
      await leader.propose(kvCommand(`k${i}`, `v${i}`));
      acked.push(`k${i}`);
    }),
  );
  for (const id of [...c.members.keys()]) await c.stop(id);
  for (const id of [...c.members.keys()]) await c.restart(id);
  const again = await c.waitForLeader();
  // A barrier write: once it applies everywhere, the whole log before it has been re-applied.
  await again.propose(kvCommand('barrier', '1'));
  for (let i = 0; i < 300; i++) {
    if ([...c.members.values()].every((m) => m.kv.data.get('barrier') === '1')) break;
    await new Promise((r) => setTimeout(r, 10));
  }
  for (const m of c.members.values()) {
    for (const k of acked) assert.equal(m.kv.data.get(k), `v${k.slice(1)}`, `member ${m.id} lost ${k}`);
  }
  await c.close();
});

test('a lagging member catches up from a snapshot after compaction', async () => {
  const c = await cluster(3, { snapshotEvery: 20, keepAfterSnapshot: 5 });
  const leader = await c.waitForLeader();
  const lagging = [...c.members.keys()].find((id) => id !== leader.id)!;
  await c.stop(lagging);
  for (let i = 0; i < 100; i++) await leader.propose(kvCommand(`s${i}`, String(i)));
  await c.restart(lagging);
  const m = c.members.get(lagging)!;
  for (let i = 0; i < 500 && m.kv.data.get('s99') !== '99'; i++) await new Promise((r) => setTimeout(r, 10));
  assert.equal(m.kv.data.get('s99'), '99');
  assert.equal(m.kv.data.size, 100);
  await c.close();
});

test('large entries bring the snapshot sooner: the log held in memory is bounded by bytes too', async () => {
  // Never by count here (10^6 entries): only the bytes applied (about 1 KiB an entry) are due.
  const c = await cluster(3, { snapshotEvery: 1_000_000, snapshotBytes: 16 * 1024, keepAfterSnapshot: 5 });
  const leader = await c.waitForLeader();
  const lagging = [...c.members.keys()].find((id) => id !== leader.id)!;
  await c.stop(lagging);
  const big = 'x'.repeat(1024);
  for (let i = 0; i < 60; i++) await leader.propose(kvCommand(`b${i}`, big));
  const taken = c.members.get(leader.id)!.kv.snapshots;
  assert.ok(taken >= 2 && taken <= 6, `about one snapshot per 16 KiB of entries (${taken} for 60 KiB)`);
  await c.restart(lagging);
  const m = c.members.get(lagging)!;
  for (let i = 0; i < 500 && m.kv.data.get('b59') !== big; i++) await new Promise((r) => setTimeout(r, 10));
  assert.equal(m.kv.data.size, 60, 'the lagging member caught up from the snapshot');
  await c.close();
});

test('malformed and oversized messages from a peer are refused without crashing the node', async () => {
  const c = await cluster(3, { maxMessageSize: 1024 * 1024 });
  const leader = await c.waitForLeader();
  const target = c.members.get(leader.id)!;
  const client = new grpc.Client(target.address, grpc.credentials.createInsecure());
  const stream = client.makeBidiStreamRequest(
    '/shoal.raft.Raft/Stream',
    (b: Buffer) => b,
    (b: Buffer) => b,
  );
  stream.on('error', () => {});
  stream.on('data', () => {});
  // Garbage bytes, a truncated protobuf, and an absurd length prefix.
  stream.write(Buffer.from([0xff, 0xff, 0xff, 0xff, 0x0f, 0x01]));
  stream.write(Buffer.from([0x0a, 0x20, 0x08, 0x03]));
  stream.write(Buffer.alloc(1024, 0x0a));
  // Over the 1 MiB limit: gRPC refuses it and closes the stream.
  stream.write(Buffer.alloc(2 * 1024 * 1024, 0x0a));
  stream.end();
  await new Promise((r) => setTimeout(r, 200));
  client.close();
  // The node still leads and commits.
  assert.ok(leader.isLeader());
  await leader.propose(kvCommand('still', 'alive'));
  await c.close();
});
