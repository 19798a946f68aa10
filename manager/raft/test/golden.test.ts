// Golden tests: the exact message sequences of Raft's tricky paths, delivered breadth-first by
// the synchronous test network. CheckQuorum and PreVote are on (the core's defaults) unless a
// test says otherwise.
//
// The expected traces live in testdata/<scenario>.txt, one file per test, read from the source
// tree (not copied to dist/). A "-- name" line opens one check: the messages delivered since the
// previous check, one per line as "from->to Type tTerm iIndex [reject]"; text after "#" is a
// comment. After a deliberate change to the messages Raft sends, run this test with
// SHOAL_REWRITE_GOLDEN=1 to write the files from what it sees (comments on unchanged lines are
// kept), and review the diff of testdata/.

import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ProgressState } from '../progress.js';
import {
  ConfChangeType,
  MessageType,
  StateRole,
  message,
  type ConfChange,
  type Message,
  type RaftId,
} from '../types.js';
import {
  RaftTestNetwork,
  bytes,
  confChangeEntry,
  normalEntry,
  text,
  type RaftTestNetworkOptions,
} from './support/harness.js';
import { GoldenTraces } from './support/golden-traces.js';

/** From dist/manager/raft/test/ back to the repository root, then to the source's testdata. */
const golden = new GoldenTraces(new URL('../../../../manager/raft/test/testdata/', import.meta.url));

function net(voters: readonly RaftId[], extra: Partial<RaftTestNetworkOptions> = {}): RaftTestNetwork {
  return new RaftTestNetwork({ voters, ...extra });
}

/** A 3-member network where 1 won an election at term 1 and everything settled. */
function elected(extra: Partial<RaftTestNetworkOptions> = {}): RaftTestNetwork {
  const n = net([1, 2, 3], extra);
  n.campaign(1);
  n.settle();
  assert.equal(n.raft(1).role, StateRole.Leader);
  n.traceLines();
  return n;
}

function transfer(n: RaftTestNetwork, leader: RaftId, to: RaftId): void {
  n.stepLocal(leader, message({ type: MessageType.TransferLeader, from: to }));
}

function readIndex(n: RaftTestNetwork, at: RaftId, ctx: string): void {
  n.stepLocal(at, message({ type: MessageType.ReadIndex, from: at, context: bytes(ctx) }));
}

function reads(n: RaftTestNetwork, id: RaftId): string[] {
  const r = n.raft(id);
  const out = r.readStates.map((rs) => `${text(rs.requestCtx)}@${rs.index}`);
  r.readStates = [];
  return out;
}

void describe('golden: elections', () => {
  void test('a PreVote election among 3 members: PreVote, PreVoteResp, Vote, VoteResp, then appends', (t) => {
    const trace = golden.scenario(t, 'prevote-election');
    const n = net([1, 2, 3]);
    n.campaign(1);
    trace.check('campaign', n.traceLines());
    for (const id of [1, 2, 3]) {
      assert.equal(n.raft(id).term, 1);
      assert.equal(n.raft(id).lead, 1);
      assert.equal(n.raft(id).log.committed, 1);
    }
  });

  void test('a partitioned follower with PreVote keeps its term while isolated and does not disrupt the leader on rejoining', (t) => {
    const trace = golden.scenario(t, 'prevote-rejoin');
    const n = elected();
    n.isolate(3);
    n.tickAll(50);
    const r3 = n.raft(3);
    assert.equal(r3.role, StateRole.PreCandidate, 'it tried to campaign...');
    assert.equal(r3.term, 1, '...without bumping its term');
    assert.equal(n.raft(1).role, StateRole.Leader);
    n.propose(1, 'while-away');
    n.traceLines();
    // It rejoins: its next pre-vote request goes out first. Both others heard from the leader
    // within an election timeout (the lease): they ignore it, so nothing answers.
    n.recover();
    const preVotes: Message[] = [];
    for (let i = 0; i < 40 && preVotes.length === 0; i++) {
      r3.tick();
      preVotes.push(...n.take(3).filter((m) => m.type === MessageType.PreVote));
    }
    n.send(preVotes);
    trace.check('its pre-votes, ignored under the lease', n.traceLines());
    assert.equal(n.raft(1).role, StateRole.Leader);
    assert.equal(n.raft(1).term, 1);
    // The leader's next heartbeat brings 3 back as a follower, and then up to date.
    n.tick(1);
    trace.check('the next heartbeat from the leader', n.traceLines());
    assert.equal(r3.role, StateRole.Follower);
    assert.equal(r3.lead, 1);
    assert.equal(r3.term, 1);
    assert.deepEqual(n.logOf(3), n.logOf(1));
  });

  void test('CheckQuorum: an isolated leader steps down once an election timeout passes without a quorum', (t) => {
    const trace = golden.scenario(t, 'check-quorum');
    const n = elected();
    n.isolate(1);
    let ticks = 0;
    while (n.raft(1).role === StateRole.Leader && ticks < 100) {
      n.tick(1);
      ticks++;
    }
    // The first check (after 10 ticks) still counts the answers from before the partition; the
    // second one finds no follower active.
    assert.equal(ticks, 20);
    assert.equal(n.raft(1).role, StateRole.Follower);
    assert.equal(n.raft(1).term, 1);
    assert.equal(n.raft(1).lead, 0);
    trace.check('isolated: everything the leader sent was lost', n.traceLines());
    // The other two elect a leader of their own, and 1 follows it once the partition heals.
    n.tickUntil(() => n.leaders().length === 1, 200, [2, 3]);
    const lead = n.leaders()[0]!;
    assert.equal(n.raft(lead).term, 2);
    n.recover();
    n.tick(lead);
    assert.equal(n.raft(1).lead, lead);
    assert.equal(n.raft(1).term, 2);
  });

  void test('leader lease: a follower that heard from the leader within an election timeout ignores a higher-term vote', (t) => {
    const trace = golden.scenario(t, 'leader-lease');
    const n = elected();
    const r2 = n.raft(2);
    n.send([message({ type: MessageType.Vote, from: 3, to: 2, term: 5, index: 1, logTerm: 1 })]);
    trace.check('a higher-term vote within the lease: no answer', n.traceLines());
    assert.equal(r2.term, 1);
    assert.equal(r2.vote, 1);
    assert.equal(r2.lead, 1);
    // Once an election timeout passes without the leader, the same request wins 2's vote.
    n.isolate(1);
    for (let i = 0; i < 10; i++) {
      r2.tick();
      n.take(2);
    }
    n.recover();
    n.send([message({ type: MessageType.Vote, from: 3, to: 2, term: 5, index: 1, logTerm: 1 })]);
    trace.check('the same vote after an election timeout without the leader', n.traceLines());
    assert.equal(r2.term, 5);
    assert.equal(r2.vote, 3);
  });
});

void describe('golden: snapshots', () => {
  void test('a follower far behind a compacted leader gets a snapshot, and appends after reportSnapshot(ok)', (t) => {
    const trace = golden.scenario(t, 'snapshot-catch-up');
    const n = elected();
    n.isolate(3);
    for (let i = 0; i < 5; i++) n.propose(1, `v${i}`);
    n.settle();
    assert.equal(n.raft(1).log.applied, 6);
    const snap = n.compact(1, bytes('state@6'));
    assert.equal(snap.metadata.index, 6);
    assert.equal(n.raft(1).log.firstIndex(), 7);
    n.traceLines();
    // 3 comes back. Hold the snapshot to observe the leader's state in between.
    n.recover();
    n.drop((m) => m.type === MessageType.Snap);
    n.tick(1);
    // The probe would start after 1, which is compacted: a snapshot (held by the test).
    trace.check('the heartbeat after healing, the snapshot held', n.traceLines());
    const pr = n.raft(1).tracker.progress.get(3)!;
    assert.equal(pr.state, ProgressState.Snapshot);
    assert.equal(pr.pendingSnapshot, 6);
    const held = n.dropped.filter((m) => m.type === MessageType.Snap);
    assert.equal(held.length, 1);
    assert.equal(held[0]!.snapshot?.metadata.index, 6);
    n.recover();
    // While the snapshot is out, nothing else goes to 3.
    n.tick(1);
    assert.ok(!n.traceLines().some((l) => l.startsWith('1->3 App')));
    // The transport reports the snapshot sent; the leader probes after it once 3 answers.
    n.raft(1).step(message({ type: MessageType.SnapStatus, from: 3, reject: false }));
    assert.equal(pr.state, ProgressState.Probe);
    assert.equal(pr.next, 7);
    n.send(held);
    trace.check('the snapshot delivered', n.traceLines());
    assert.equal(pr.state, ProgressState.Replicate);
    n.propose(1, 'after');
    trace.check('a proposal after', n.traceLines());
    n.settle();
    assert.deepEqual(n.logOf(3), n.logOf(1));
    assert.equal(n.raft(3).log.committed, 7);
    assert.equal(n.storage(3).snapshot().metadata.index, 6);
    assert.equal(text(n.storage(3).snapshot().data), 'state@6');
  });
});

void describe('snapshots: edge cases', () => {
  void test('a snapshot reported failed is sent again once the follower answers a heartbeat', (t) => {
    const trace = golden.scenario(t, 'snapshot-failed-resent');
    const n = elected();
    n.isolate(3);
    for (let i = 0; i < 3; i++) n.propose(1, `v${i}`);
    n.settle();
    n.compact(1);
    n.recover();
    n.drop((m) => m.type === MessageType.Snap);
    n.tick(1);
    const pr = n.raft(1).tracker.progress.get(3)!;
    assert.equal(pr.state, ProgressState.Snapshot);
    n.raft(1).step(message({ type: MessageType.SnapStatus, from: 3, reject: true }));
    assert.equal(pr.state, ProgressState.Probe);
    assert.equal(pr.next, 2, 'back to probing after what 3 is known to have');
    n.recover();
    n.traceLines();
    n.tick(1);
    trace.check('the heartbeat after the failed snapshot', n.traceLines());
    assert.equal(n.raft(3).log.committed, 4);
  });

  void test('a follower that already holds the snapshot point only advances its commit index', (t) => {
    const trace = golden.scenario(t, 'snapshot-point-held');
    const n = net([1, 2, 3], {
      members: { 3: { terms: [1, 1, 1], hardState: { term: 1, vote: 0, commit: 1 } } },
    });
    const r3 = n.raft(3);
    const snap = {
      metadata: { index: 2, term: 1, confState: { voters: [1, 2, 3], learners: [] } },
      data: new Uint8Array(0),
    };
    n.send([message({ type: MessageType.Snap, from: 1, to: 3, term: 1, snapshot: snap })]);
    trace.check('the snapshot', n.traceLines());
    assert.equal(r3.log.committed, 2);
    assert.equal(r3.log.hasPendingSnapshot(), false);
    assert.deepEqual(n.logOf(3), ['1:1', '2:1', '3:1'], 'the entry after the snapshot point is kept');
  });

  void test('a snapshot whose configuration predates the recipient is installed (it learns of itself from the log)', (t) => {
    const trace = golden.scenario(t, 'snapshot-older-configuration');
    const n = net([1, 2, 3]);
    const snap = {
      metadata: { index: 5, term: 1, confState: { voters: [1, 2], learners: [] } },
      data: new Uint8Array(0),
    };
    n.send([message({ type: MessageType.Snap, from: 1, to: 3, term: 1, snapshot: snap })]);
    trace.check('the snapshot', n.traceLines());
    assert.equal(n.raft(3).log.lastIndex(), 5);
    assert.equal(n.raft(3).log.committed, 5);
  });

  void test('a member added after the leader took its latest snapshot can still catch up', () => {
    const n = elected();
    for (let i = 0; i < 3; i++) n.propose(1, `v${i}`);
    n.settle();
    n.compact(1);
    n.addMember(4, { conf: { voters: [], learners: [] } });
    n.proposeConfChange(1, { type: ConfChangeType.AddLearner, nodeId: 4, context: new Uint8Array(0) });
    n.settle();
    for (let i = 0; i < 5; i++) {
      n.tick(1);
      // The transport reports each snapshot as delivered.
      if (n.raft(1).tracker.progress.get(4)?.state === ProgressState.Snapshot) {
        n.raft(1).step(message({ type: MessageType.SnapStatus, from: 4, reject: false }));
      }
      n.settle();
    }
    assert.deepEqual(n.raft(4).tracker.confState(), { voters: [1, 2, 3], learners: [4] });
    assert.equal(n.raft(4).log.committed, n.raft(1).log.committed);
  });
});

void describe('golden: learners', () => {
  void test('a learner never campaigns, receives entries, and after promotion can win an election', (t) => {
    const trace = golden.scenario(t, 'learner-promotion');
    const n = net([1, 2, 3], { learners: [4] });
    const r4 = n.raft(4);
    for (let i = 0; i < 100; i++) n.tick(4);
    trace.check('100 ticks at the learner: it stays silent', n.traceLines());
    assert.equal(r4.role, StateRole.Follower);
    assert.equal(r4.term, 0);
    n.campaign(1);
    assert.ok(!n.traceLines().some((l) => /->4 (Pre)?Vote /.test(l)), 'votes are asked of voters only');
    n.propose(1, 'x');
    n.settle();
    assert.deepEqual(n.logOf(4), n.logOf(1));
    assert.equal(r4.log.committed, 2);
    n.traceLines();
    for (let i = 0; i < 100; i++) n.tick(4);
    assert.equal(r4.role, StateRole.Follower, 'even past an election timeout without heartbeats');
    assert.deepEqual(n.traceLines(), []);
    // Promote 4.
    n.proposeConfChange(1, { type: ConfChangeType.AddNode, nodeId: 4, context: new Uint8Array(0) });
    n.settle();
    assert.ok(r4.tracker.isVoter(4));
    assert.ok(n.raft(1).tracker.isVoter(4));
    // 4 campaigns once 2 and 3 have not heard from 1 for an election timeout.
    n.isolate(1);
    for (const id of [2, 3]) {
      for (let i = 0; i < 10; i++) n.raft(id).tick();
      n.take(id);
    }
    n.traceLines();
    n.campaign(4);
    assert.equal(r4.role, StateRole.Leader);
    assert.equal(r4.term, n.raft(2).term);
    assert.equal(n.raft(2).lead, 4);
    assert.equal(n.raft(3).lead, 4);
  });
});

void describe('golden: leadership transfer', () => {
  void test('to an up-to-date follower: TimeoutNow, and it wins at term + 1', (t) => {
    const trace = golden.scenario(t, 'transfer-up-to-date');
    const n = elected();
    transfer(n, 1, 2);
    trace.check('transfer to 2', n.traceLines());
    assert.equal(n.raft(2).role, StateRole.Leader);
    assert.equal(n.raft(2).term, 2);
    assert.equal(n.raft(1).role, StateRole.Follower);
    assert.equal(n.raft(1).lead, 2);
  });

  void test('to a lagging follower: appends first, proposals are dropped meanwhile, then TimeoutNow', (t) => {
    const trace = golden.scenario(t, 'transfer-lagging');
    const n = elected();
    n.isolate(3);
    n.propose(1, 'a');
    n.traceLines();
    transfer(n, 1, 3);
    assert.equal(n.raft(1).leadTransferee, 3);
    assert.equal(n.propose(1, 'during').ok, false);
    // A proposal forwarded by a follower is dropped too (nobody at the leader waits for it).
    n.propose(2, 'forwarded');
    assert.equal(n.droppedProposals.length, 1);
    n.traceLines();
    n.recover();
    n.tick(1);
    trace.check('the heartbeat after healing', n.traceLines());
    assert.equal(n.raft(3).role, StateRole.Leader);
    assert.equal(n.raft(3).term, 2);
    assert.ok(
      !n
        .raft(3)
        .log.allEntries()
        .some((e) => text(e.data) === 'during' || text(e.data) === 'forwarded'),
    );
  });

  void test('a transfer that does not finish within an election timeout is abandoned', () => {
    const n = elected();
    n.isolate(3);
    n.propose(1, 'a');
    transfer(n, 1, 3);
    n.tick(1, 9);
    assert.equal(n.raft(1).leadTransferee, 3);
    n.tick(1);
    assert.equal(n.raft(1).leadTransferee, 0);
    n.propose(1, 'b');
    assert.equal(n.raft(1).log.lastIndex(), 3);
  });

  void test('a transfer requested at a follower goes to the named member, not to the forwarding follower', () => {
    const n = elected();
    // RawNode.transferLeadership(3) called on follower 2: 2 forwards the request to the leader,
    // which must still name 3. As in etcd, a TransferLeader names the transferee in `from` (so the
    // trace prints it as 3->1), and is forwarded like a proposal, without a term.
    n.stepLocal(2, message({ type: MessageType.TransferLeader, from: 3 }));
    const lines = n.traceLines();
    assert.deepEqual(lines.slice(0, 2), ['3->1 TransferLeader t0 i0', '1->3 TimeoutNow t1 i0']);
    assert.deepEqual(n.leaders(), [3], 'member 3 was asked for');
  });
});

void describe('golden: flow control', () => {
  void test('a window full of lost multi-entry appends recovers on the next heartbeat answer', (t) => {
    const trace = golden.scenario(t, 'flow-control-lost-window');
    const n = elected({ maxInflightMsgs: 2 });
    n.drop((m) => m.type === MessageType.App && m.to === 2);
    // Two proposals of two entries each: two appends, each carrying two entries, both lost.
    n.stepLocal(
      1,
      message({ type: MessageType.Prop, from: 1, entries: [normalEntry('a'), normalEntry('b')] }),
    );
    n.stepLocal(
      1,
      message({ type: MessageType.Prop, from: 1, entries: [normalEntry('c'), normalEntry('d')] }),
    );
    const pr = n.raft(1).tracker.progress.get(2)!;
    assert.equal(pr.state, ProgressState.Replicate);
    assert.ok(pr.inflights.full(), 'the window is full');
    n.recover();
    n.traceLines();
    n.tick(1);
    trace.check('the heartbeat after the lost appends', n.traceLines());
    assert.deepEqual(n.logOf(2), n.logOf(1));
  });
});

void describe('golden: ReadIndex', () => {
  void test('the leader answers only once a quorum acks the heartbeat round carrying the request', (t) => {
    const trace = golden.scenario(t, 'read-index-leader');
    const n = elected();
    n.ignore(MessageType.HeartbeatResp);
    readIndex(n, 1, 'r1');
    trace.check('the heartbeat round carrying the request', n.traceLines());
    assert.deepEqual(reads(n, 1), [], 'no ack yet');
    const acks = n.dropped.filter((m) => m.type === MessageType.HeartbeatResp);
    assert.equal(acks.length, 2);
    n.recover();
    n.send(acks.slice(0, 1));
    trace.check('the first ack', n.traceLines());
    assert.deepEqual(reads(n, 1), ['r1@1'], 'the leader and 2 are a quorum');
    n.send(acks.slice(1));
    assert.deepEqual(reads(n, 1), [], 'answered once');
  });

  void test("a follower's read is forwarded to the leader and answered with ReadIndexResp", (t) => {
    const trace = golden.scenario(t, 'read-index-follower');
    const n = elected();
    readIndex(n, 2, 'f1');
    trace.check('a read at follower 2', n.traceLines());
    assert.deepEqual(reads(n, 2), ['f1@1']);
    assert.deepEqual(reads(n, 1), []);
  });

  void test('a new leader defers reads until it commits an entry of its own term', (t) => {
    const trace = golden.scenario(t, 'read-index-new-leader');
    const n = elected();
    n.ignore(MessageType.App);
    transfer(n, 1, 2);
    const r2 = n.raft(2);
    assert.equal(r2.role, StateRole.Leader);
    assert.equal(r2.term, 2);
    assert.equal(r2.log.committed, 1, 'its empty entry 2:2 is not committed');
    n.traceLines();
    readIndex(n, 2, 'new');
    trace.check('a read before its first commit: deferred, not even a heartbeat round', n.traceLines());
    assert.deepEqual(reads(n, 2), []);
    n.recover();
    n.tick(2);
    trace.check('the next heartbeat commits 2:2 and releases the read', n.traceLines());
    assert.deepEqual(reads(n, 2), ['new@2']);
  });
});

void describe('golden: membership', () => {
  void test('a leader that applies its own removal steps down and the others elect a new leader', () => {
    const n = elected();
    n.proposeConfChange(1, { type: ConfChangeType.RemoveNode, nodeId: 1, context: new Uint8Array(0) });
    n.settle();
    const r1 = n.raft(1);
    assert.equal(r1.role, StateRole.Follower);
    assert.deepEqual(r1.tracker.confState().voters, [2, 3]);
    assert.deepEqual(n.raft(2).tracker.confState().voters, [2, 3]);
    n.traceLines();
    n.tickUntil(() => n.leaders().length === 1, 200);
    const lead = n.leaders()[0]!;
    assert.ok(lead === 2 || lead === 3);
    assert.equal(n.raft(lead).term, 2);
    assert.ok(
      !n.traceLines().some((l) => l.startsWith('1->') && /Vote/.test(l)),
      'the removed member never campaigns',
    );
    assert.ok(!n.raft(lead).tracker.progress.has(1));
    n.propose(lead, 'without-1');
    n.settle();
    const other = lead === 2 ? 3 : 2;
    assert.deepEqual(n.logOf(other), n.logOf(lead));
  });

  void test('a conf change proposed while another is not yet applied is dropped', () => {
    const n = elected();
    n.proposeConfChange(1, { type: ConfChangeType.AddLearner, nodeId: 4, context: new Uint8Array(0) });
    const last = n.raft(1).log.lastIndex();
    assert.equal(
      n.proposeConfChange(1, { type: ConfChangeType.AddLearner, nodeId: 5, context: new Uint8Array(0) }).ok,
      false,
    );
    assert.equal(n.raft(1).log.lastIndex(), last, 'nothing was appended');
    n.propose(1, 'normal entries still go through');
    n.settle();
    n.proposeConfChange(1, { type: ConfChangeType.AddLearner, nodeId: 5, context: new Uint8Array(0) });
    n.settle();
    assert.deepEqual(n.raft(1).tracker.confState(), { voters: [1, 2, 3], learners: [4, 5] });
  });

  void test('a new leader takes no conf change until the entries before its term are applied', () => {
    const n = net([1, 2, 3], {
      members: {
        1: { terms: [1, 1], hardState: { term: 1, vote: 0, commit: 0 } },
        2: { terms: [1, 1], hardState: { term: 1, vote: 0, commit: 0 } },
        3: { terms: [1, 1], hardState: { term: 1, vote: 0, commit: 0 } },
      },
    });
    n.campaign(1);
    assert.equal(n.raft(1).pendingConfIndex, 2);
    assert.equal(n.raft(1).log.committed, 3);
    assert.equal(n.raft(1).log.applied, 0);
    assert.equal(
      n.proposeConfChange(1, { type: ConfChangeType.AddLearner, nodeId: 4, context: new Uint8Array(0) }).ok,
      false,
    );
    n.settle();
    n.proposeConfChange(1, { type: ConfChangeType.AddLearner, nodeId: 4, context: new Uint8Array(0) });
    assert.equal(n.raft(1).pendingConfIndex, 4);
  });

  void test('a dropped batch with two conf changes leaves no pending conf change behind', () => {
    const n = elected();
    const cc = (id: RaftId): ConfChange => ({
      type: ConfChangeType.AddLearner,
      nodeId: id,
      context: new Uint8Array(0),
    });
    const r1 = n.raft(1);
    const pending = r1.pendingConfIndex;
    assert.equal(
      r1.step(
        message({
          type: MessageType.Prop,
          from: 1,
          entries: [confChangeEntry(cc(4)), confChangeEntry(cc(5))],
        }),
      ).ok,
      false,
    );
    assert.equal(r1.pendingConfIndex, pending, 'the refused proposal must not move pendingConfIndex');
    // So a single conf change is accepted right away.
    n.proposeConfChange(1, cc(4));
  });
});
