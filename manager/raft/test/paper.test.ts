// The Raft paper's scenarios (Ongaro & Ousterhout, "In Search of an Understandable Consensus
// Algorithm", §5), as named tests over the synchronous test network. Unless a test says
// otherwise, PreVote and CheckQuorum are off: the paper has neither.

import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { RaftInvariantError } from '../errors.js';
import type { Raft } from '../raft.js';
import { MessageType, StateRole, message, type Entry, type Message, type RaftId } from '../types.js';
import { RaftTestNetwork, type RaftTestNetworkOptions } from './support/harness.js';

const PAPER = { checkQuorum: false, preVote: false } as const;

function net(voters: readonly RaftId[], extra: Partial<RaftTestNetworkOptions> = {}): RaftTestNetwork {
  return new RaftTestNetwork({ voters, ...PAPER, ...extra });
}

/** A single member (id 1 of voters 1..3) with the given log and hard state, messages kept. */
function member(
  opts: {
    terms?: readonly number[];
    term?: number;
    vote?: RaftId;
    commit?: number;
  } & Partial<RaftTestNetworkOptions> = {},
): { n: RaftTestNetwork; r: Raft } {
  const n = new RaftTestNetwork({
    voters: [1, 2, 3],
    ...PAPER,
    ...opts,
    members: {
      1: {
        terms: opts.terms ?? [],
        hardState: { term: opts.term ?? 0, vote: opts.vote ?? 0, commit: opts.commit ?? 0 },
      },
    },
  });
  return { n, r: n.raft(1) };
}

function summary(ms: readonly Message[]): string[] {
  return ms.map((m) => `${m.type}:${m.to}:t${m.term}:i${m.index}:lt${m.logTerm}${m.reject ? ':reject' : ''}`);
}

function ents(...pairs: [index: number, term: number][]): Entry[] {
  return pairs.map(([index, term]) => ({ index, term, type: 0, data: new Uint8Array(0) }));
}

function logTerms(n: RaftTestNetwork, id: RaftId): number[] {
  return n
    .raft(id)
    .log.allEntries()
    .map((e) => e.term);
}

void describe('§5.1 terms', () => {
  void test('a member that sees a higher term in any message adopts it and becomes a follower', () => {
    for (const role of ['follower', 'candidate', 'leader'] as const) {
      const n = net([1, 2, 3]);
      if (role === 'leader') n.campaign(1);
      // Keep 1 from talking to anyone so its state stays observable.
      n.isolate(1);
      if (role === 'candidate') n.campaign(1);
      assert.equal(n.raft(1).role, role);
      const r = n.raft(1);
      r.step(message({ type: MessageType.App, from: 2, to: 1, term: 5, index: 0, logTerm: 0 }));
      assert.equal(r.term, 5, role);
      assert.equal(r.role, StateRole.Follower, role);
      assert.equal(r.lead, 2, role);
      assert.equal(r.vote, 0, role);
    }
  });

  void test('a member rejects (ignores) a request carrying a stale term', () => {
    const { r } = member({ terms: [1, 2], term: 3 });
    r.step(
      message({
        type: MessageType.App,
        from: 2,
        to: 1,
        term: 2,
        index: 2,
        logTerm: 2,
        entries: ents([3, 2]),
      }),
    );
    assert.deepEqual(r.msgs, [], 'no answer without CheckQuorum/PreVote');
    assert.equal(r.log.lastIndex(), 2, 'the stale append is not applied');
    r.step(message({ type: MessageType.Vote, from: 2, to: 1, term: 2, index: 9, logTerm: 9 }));
    assert.deepEqual(r.msgs, []);
    assert.equal(r.vote, 0);
    assert.equal(r.term, 3);
  });
});

void describe('§5.2 leader election', () => {
  void test('a follower that hears nothing for an election timeout becomes a candidate and asks every voter', () => {
    const { r } = member();
    let ticks = 0;
    while (r.role === StateRole.Follower && ticks < 100) {
      r.tick();
      ticks++;
    }
    assert.ok(ticks >= 10 && ticks < 20, `campaigned after ${ticks} ticks, want [10, 20)`);
    assert.equal(r.role, StateRole.Candidate);
    assert.equal(r.term, 1);
    assert.equal(r.vote, 1, 'votes for itself');
    assert.deepEqual(summary(r.msgs), [`${MessageType.Vote}:2:t1:i0:lt0`, `${MessageType.Vote}:3:t1:i0:lt0`]);
  });

  void test('a candidate wins with votes from a majority, and only then', () => {
    const cases: { size: number; down: RaftId[]; want: StateRole }[] = [
      { size: 1, down: [], want: StateRole.Leader },
      { size: 3, down: [], want: StateRole.Leader },
      { size: 3, down: [3], want: StateRole.Leader },
      { size: 3, down: [2, 3], want: StateRole.Candidate },
      { size: 4, down: [4], want: StateRole.Leader },
      { size: 4, down: [3, 4], want: StateRole.Candidate },
      { size: 5, down: [4, 5], want: StateRole.Leader },
      { size: 5, down: [3, 4, 5], want: StateRole.Candidate },
    ];
    for (const c of cases) {
      const ids = Array.from({ length: c.size }, (_, i) => i + 1);
      const n = net(ids);
      for (const d of c.down) n.isolate(d);
      n.campaign(1);
      const r = n.raft(1);
      const label = `${c.size} members, ${c.down.length} down`;
      assert.equal(r.role, c.want, label);
      assert.equal(r.term, 1, label);
      if (c.want === StateRole.Leader) {
        for (const id of ids)
          if (!c.down.includes(id)) assert.equal(n.raft(id).lead, 1, `${label}: ${id} knows the leader`);
      }
    }
  });

  void test('a candidate rejected by a majority returns to follower and another member can win', () => {
    // 2 and 3 hold an entry of term 2 that 1 lacks: they refuse 1 (election restriction).
    const n = net([1, 2, 3], {
      members: {
        1: { terms: [1], hardState: { term: 2, vote: 0, commit: 1 } },
        2: { terms: [1, 2], hardState: { term: 2, vote: 0, commit: 1 } },
        3: { terms: [1, 2], hardState: { term: 2, vote: 0, commit: 1 } },
      },
    });
    n.campaign(1);
    assert.equal(n.raft(1).role, StateRole.Follower);
    assert.equal(n.raft(1).term, 3);
    assert.deepEqual(
      n.traceLines().filter((l) => l.includes('VoteResp')),
      ['2->1 VoteResp t3 i0 reject', '3->1 VoteResp t3 i0 reject'],
    );
    n.campaign(2);
    assert.equal(n.raft(2).role, StateRole.Leader);
    assert.equal(n.raft(2).term, 4);
    assert.equal(n.raft(1).lead, 2);
  });

  void test('a candidate that hears from a leader of its own term steps down', () => {
    const n = net([1, 2, 3]);
    n.isolate(1);
    n.campaign(1);
    const r = n.raft(1);
    assert.equal(r.role, StateRole.Candidate);
    r.step(message({ type: MessageType.App, from: 2, to: 1, term: 1, index: 0, logTerm: 0 }));
    assert.equal(r.role, StateRole.Follower);
    assert.equal(r.term, 1);
    assert.equal(r.lead, 2);
    assert.equal(r.vote, 1, 'its own vote of the term stays');
  });

  void test('a split vote elects nobody; a later election at a higher term resolves it', () => {
    const n = net([1, 2, 3, 4]);
    // 1 can reach only 3; 2 can reach only 4: each candidate gets 2 of 4 votes.
    n.cut(1, 2);
    n.cut(1, 4);
    n.cut(2, 3);
    n.cut(3, 4);
    n.campaign(1);
    n.campaign(2);
    assert.equal(n.raft(1).role, StateRole.Candidate);
    assert.equal(n.raft(2).role, StateRole.Candidate);
    assert.equal(n.raft(3).vote, 1);
    assert.equal(n.raft(4).vote, 2);
    assert.deepEqual(n.leaders(), []);
    n.recover();
    n.tickUntil(() => n.leaders().length === 1);
    const lead = n.raft(n.leaders()[0]!);
    assert.ok(lead.term >= 2, `resolved at term ${lead.term}`);
    for (const r of n.members.values()) assert.equal(r.lead, lead.id);
  });

  void test('each member grants at most one vote per term, first come first served', () => {
    const { r } = member();
    const vote = (from: RaftId, term: number): boolean => {
      r.step(message({ type: MessageType.Vote, from, to: 1, term, index: 0, logTerm: 0 }));
      const out = r.msgs;
      r.msgs = [];
      assert.equal(out.length, 1);
      assert.equal(out[0]!.type, MessageType.VoteResp);
      return !out[0]!.reject;
    };
    assert.equal(vote(2, 1), true, 'first request of term 1');
    assert.equal(vote(3, 1), false, 'another candidate of term 1');
    assert.equal(vote(2, 1), true, 'the same candidate again (a retransmission)');
    assert.equal(r.vote, 2);
    assert.equal(vote(3, 2), true, 'a new term frees the vote');
    assert.equal(r.vote, 3);
    assert.equal(vote(2, 2), false);
  });

  void test('the vote survives a restart through the persisted hard state', () => {
    const { r } = member({ term: 1, vote: 2 });
    r.step(message({ type: MessageType.Vote, from: 3, to: 1, term: 1, index: 0, logTerm: 0 }));
    assert.equal(r.msgs[0]!.reject, true);
    r.msgs = [];
    r.step(message({ type: MessageType.Vote, from: 2, to: 1, term: 1, index: 0, logTerm: 0 }));
    assert.equal(r.msgs[0]!.reject, false);
  });

  void test('a leader sends heartbeats every heartbeat tick and followers stay followers', () => {
    const n = net([1, 2, 3]);
    n.campaign(1);
    n.traceLines();
    n.tickAll(30);
    assert.equal(n.raft(1).role, StateRole.Leader);
    assert.equal(n.raft(1).term, 1);
    const hbs = n.traceLines().filter((l) => l.startsWith('1->2 Heartbeat'));
    assert.equal(hbs.length, 30);
  });
});

void describe('§5.3 log replication', () => {
  void test('the leader appends a proposal, replicates it, commits it on a majority, and followers learn the commit', () => {
    const n = net([1, 2, 3]);
    n.campaign(1);
    n.propose(1, 'x');
    for (const id of [1, 2, 3]) {
      assert.deepEqual(n.logOf(id), ['1:1', '2:1'], `log of ${id}`);
      assert.equal(n.raft(id).log.committed, 2, `commit of ${id}`);
    }
  });

  void test('an entry is committed only once a majority stores it', () => {
    const n = net([1, 2, 3, 4, 5]);
    n.campaign(1);
    n.isolate(3);
    n.isolate(4);
    n.isolate(5);
    n.propose(1, 'x');
    assert.equal(n.raft(1).log.committed, 1, 'stored on 2 of 5');
    n.recover();
    n.isolate(4);
    n.isolate(5);
    n.tick(1); // a heartbeat: 3 answers and gets the entry
    assert.equal(n.raft(1).log.committed, 2, 'stored on 3 of 5');
  });

  void test('a follower checks the previous entry of an append (consistency check) and hints on rejection', () => {
    // Follower log [1:1, 2:2], committed 1, at term 2.
    const cases: { logTerm: number; index: number; want: string }[] = [
      { logTerm: 0, index: 0, want: 'i1' }, // below the commit index: answers with the commit index
      { logTerm: 1, index: 1, want: 'i1' }, // matches a committed entry
      { logTerm: 2, index: 2, want: 'i2' }, // matches an uncommitted entry
      { logTerm: 1, index: 2, want: 'i2 reject hint1 lt1' }, // term mismatch at 2
      { logTerm: 3, index: 3, want: 'i3 reject hint2 lt2' }, // beyond our log
    ];
    for (const c of cases) {
      const { r } = member({ terms: [1, 2], term: 2, commit: 1 });
      r.step(message({ type: MessageType.App, from: 2, to: 1, term: 2, index: c.index, logTerm: c.logTerm }));
      const [m, ...rest] = r.msgs;
      assert.equal(rest.length, 0);
      assert.equal(m!.type, MessageType.AppResp);
      const got = `i${m!.index}${m!.reject ? ` reject hint${m!.rejectHint} lt${m!.logTerm}` : ''}`;
      assert.equal(got, c.want, `App(index ${c.index}, logTerm ${c.logTerm})`);
    }
  });

  void test('a follower deletes a conflicting suffix and appends the leader entries', () => {
    const cases: { index: number; logTerm: number; entries: Entry[]; want: number[]; reject: boolean }[] = [
      { index: 2, logTerm: 2, entries: ents([3, 3]), want: [1, 2, 3], reject: false },
      { index: 1, logTerm: 1, entries: ents([2, 3], [3, 4]), want: [1, 3, 4], reject: false },
      { index: 0, logTerm: 0, entries: ents([1, 1]), want: [1, 2], reject: false },
      { index: 0, logTerm: 0, entries: ents([1, 3]), want: [3], reject: false },
      { index: 2, logTerm: 1, entries: ents([3, 3]), want: [1, 2], reject: true },
    ];
    for (const c of cases) {
      const { r } = member({ terms: [1, 2], term: 2 });
      r.step(message({ type: MessageType.App, from: 2, to: 1, term: 2, ...c }));
      assert.deepEqual(
        r.log.allEntries().map((e) => e.term),
        c.want,
      );
      assert.equal(r.msgs[0]!.reject, c.reject);
    }
  });

  void test('a follower answers an append below its commit index with that index, truncating nothing', () => {
    const { r } = member({ terms: [1, 2], term: 3, commit: 2 });
    r.step(
      message({
        type: MessageType.App,
        from: 2,
        to: 1,
        term: 3,
        index: 1,
        logTerm: 1,
        entries: ents([2, 3]),
      }),
    );
    assert.deepEqual(summary(r.msgs), [`${MessageType.AppResp}:2:t3:i2:lt0`]);
    assert.deepEqual(logTermsOf(r), [1, 2]);
  });

  void test('the leader backs up nextIndex after a rejection until the logs match, then replicates', () => {
    // Follower (f) of figure 7 against the figure's leader: two round trips thanks to the hint.
    const leader = [1, 1, 1, 4, 4, 5, 5, 6, 6, 6];
    const n = net([1, 2, 3], {
      members: {
        1: { terms: leader, hardState: { term: 7, vote: 0, commit: 0 } },
        2: { terms: [1, 1, 1, 2, 2, 2, 3, 3, 3, 3, 3], hardState: { term: 3, vote: 0, commit: 0 } },
        3: { terms: leader, hardState: { term: 7, vote: 0, commit: 0 } },
      },
    });
    n.campaign(1);
    const between = n.traceLines().filter((l) => /^(1->2|2->1) App/.test(l));
    assert.deepEqual(between, [
      '1->2 App t8 i10', // prev (10, 6): 2 has term 3 there
      '2->1 AppResp t8 i10 reject', // hint: index 10, term 3
      '1->2 App t8 i3', // the leader skips every entry of terms > 3: prev (3, 1) matches
      '2->1 AppResp t8 i11',
      '1->2 App t8 i11', // the commit index
      '2->1 AppResp t8 i11',
    ]);
    assert.deepEqual(n.logOf(2), n.logOf(1));
  });

  void test('the leader never overwrites or deletes its own entries (Leader Append-Only)', () => {
    const n = net([1, 2, 3], {
      members: {
        1: { terms: [1, 1], hardState: { term: 1, vote: 0, commit: 0 } },
        2: { terms: [1, 1, 1, 1], hardState: { term: 1, vote: 0, commit: 0 } },
      },
    });
    n.isolate(2);
    n.campaign(1);
    n.propose(1, 'a');
    const before = n.logOf(1);
    assert.deepEqual(before, ['1:1', '2:1', '3:2', '4:2']);
    const r = n.raft(1);
    // A stale leader's append with conflicting entries, and a follower's rejection: no effect on the log.
    r.step(
      message({
        type: MessageType.App,
        from: 2,
        to: 1,
        term: 1,
        index: 2,
        logTerm: 1,
        entries: ents([3, 1], [4, 1]),
      }),
    );
    r.step(
      message({ type: MessageType.AppResp, from: 3, to: 1, term: 2, index: 4, reject: true, rejectHint: 1 }),
    );
    // Even a same-term append addressed to the leader is not taken as one from a leader.
    r.step(
      message({
        type: MessageType.App,
        from: 3,
        to: 1,
        term: 2,
        index: 2,
        logTerm: 1,
        entries: ents([3, 2]),
      }),
    );
    n.propose(1, 'b');
    assert.deepEqual(n.logOf(1).slice(0, before.length), before);
    assert.equal(r.role, StateRole.Leader);
  });

  void test('a follower that was down catches up once it is back (the leader retries indefinitely)', () => {
    const n = net([1, 2, 3]);
    n.campaign(1);
    n.isolate(3);
    for (let i = 0; i < 5; i++) n.propose(1, `v${i}`);
    assert.equal(n.raft(3).log.lastIndex(), 1);
    n.recover();
    n.tick(1);
    assert.deepEqual(n.logOf(3), n.logOf(1));
    assert.equal(n.raft(3).log.committed, 6);
  });
});

void describe('§5.4 safety', () => {
  void test('§5.4.1 election restriction: a voter grants only a candidate whose log is at least as up to date', () => {
    // The voter's log is [1:1, 2:2]: last term 2, last index 2.
    const cases: { lastTerm: number; lastIndex: number; grant: boolean }[] = [
      { lastTerm: 1, lastIndex: 1, grant: false },
      { lastTerm: 1, lastIndex: 2, grant: false },
      { lastTerm: 1, lastIndex: 3, grant: false }, // longer, but an older last term
      { lastTerm: 2, lastIndex: 1, grant: false }, // same last term, shorter
      { lastTerm: 2, lastIndex: 2, grant: true }, // identical
      { lastTerm: 2, lastIndex: 3, grant: true }, // same last term, longer
      { lastTerm: 3, lastIndex: 1, grant: true }, // newer last term, shorter
      { lastTerm: 3, lastIndex: 3, grant: true },
    ];
    for (const c of cases) {
      const { r } = member({ terms: [1, 2], term: 2 });
      r.step(
        message({ type: MessageType.Vote, from: 2, to: 1, term: 3, index: c.lastIndex, logTerm: c.lastTerm }),
      );
      const label = `candidate (lastTerm ${c.lastTerm}, lastIndex ${c.lastIndex})`;
      assert.equal(r.msgs.length, 1, label);
      assert.equal(r.msgs[0]!.reject, !c.grant, label);
      assert.equal(r.msgs[0]!.term, 3, label);
      assert.equal(r.vote, c.grant ? 2 : 0, label);
      assert.equal(r.term, 3, `${label}: the term is adopted either way`);
    }
  });

  void test('figure 7: the term-8 leader brings each follower (a)-(f) into agreement with its log', () => {
    const leader = [1, 1, 1, 4, 4, 5, 5, 6, 6, 6];
    const followers: Record<string, number[]> = {
      a: [1, 1, 1, 4, 4, 5, 5, 6, 6],
      b: [1, 1, 1, 4],
      c: [1, 1, 1, 4, 4, 5, 5, 6, 6, 6, 6],
      d: [1, 1, 1, 4, 4, 5, 5, 6, 6, 6, 7, 7],
      e: [1, 1, 1, 4, 4, 4, 4],
      f: [1, 1, 1, 2, 2, 2, 3, 3, 3, 3, 3],
    };
    for (const [name, terms] of Object.entries(followers)) {
      // Followers (c) and (d) have more up-to-date logs and refuse the leader: 3, holding the
      // leader's log, gives it the majority.
      const n = net([1, 2, 3], {
        members: {
          1: { terms: leader, hardState: { term: 7, vote: 0, commit: 0 } },
          2: { terms, hardState: { term: Math.max(...terms), vote: 0, commit: 0 } },
          3: { terms: leader, hardState: { term: 7, vote: 0, commit: 0 } },
        },
      });
      n.campaign(1);
      const lead = n.raft(1);
      assert.equal(lead.role, StateRole.Leader, `(${name})`);
      assert.equal(lead.term, 8, `(${name})`);
      assert.deepEqual(logTerms(n, 1), [...leader, 8], `(${name}) leader log`);
      assert.deepEqual(n.logOf(2), n.logOf(1), `(${name}) follower log equals the leader's`);
      assert.equal(n.raft(2).log.committed, 11, `(${name}) follower commit`);
    }
  });

  void test("figure 8 / §5.4.2: a leader does not commit a previous term's entry by counting replicas", () => {
    // 1 leads at term 3 with [1:1, 2:2] plus its own 3:3. 2 has only [1:1]. With one entry per
    // append, 2 first acks up to 2 (term 2): that is a majority for index 2, but not a commit.
    const n = net([1, 2, 3], {
      members: {
        1: { terms: [1, 2], hardState: { term: 2, vote: 0, commit: 1 }, maxSizePerMsg: 1 },
        2: { terms: [1], hardState: { term: 2, vote: 0, commit: 1 } },
        3: { terms: [1], hardState: { term: 2, vote: 0, commit: 1 } },
      },
    });
    n.isolate(3);
    n.drop((m) => m.type === MessageType.AppResp && m.index === 3);
    n.campaign(1);
    const r = n.raft(1);
    assert.equal(r.role, StateRole.Leader);
    assert.equal(r.term, 3);
    assert.deepEqual(logTerms(n, 1), [1, 2, 3]);
    assert.equal(r.tracker.progress.get(2)!.match, 2, '2 acked up to the term-2 entry');
    assert.equal(r.log.committed, 1, 'index 2 is on a majority but is not committed');
    // Now 2 acks the leader's own entry: that commits it, and index 2 with it.
    const held = n.dropped.filter((m) => m.type === MessageType.AppResp && m.index === 3);
    assert.equal(held.length, 1);
    n.recover();
    n.send(held);
    assert.equal(r.log.committed, 3);
    assert.equal(n.raft(2).log.committed, 3);
  });

  void test('figure 8 (d): without the rule, an entry "committed" by replica count could be overwritten', () => {
    // S5 holds 2:3 and can win at term 4 with votes from S2-S4, whose logs end at 2:2 or earlier,
    // overwriting 2:2 on S1 and S2. That is safe only because 2:2 was never considered committed.
    const n = net([1, 2, 3, 4, 5], {
      members: {
        1: { terms: [1, 2], hardState: { term: 3, vote: 0, commit: 1 } },
        2: { terms: [1, 2], hardState: { term: 3, vote: 0, commit: 1 } },
        3: { terms: [1], hardState: { term: 3, vote: 0, commit: 1 } },
        4: { terms: [1], hardState: { term: 3, vote: 0, commit: 1 } },
        5: { terms: [1, 3], hardState: { term: 3, vote: 0, commit: 1 } },
      },
    });
    n.isolate(1);
    n.campaign(5);
    assert.equal(n.raft(5).role, StateRole.Leader);
    assert.equal(n.raft(5).term, 4);
    assert.deepEqual(logTerms(n, 2), [1, 3, 4], '2:2 was replaced on S2');
    n.recover();
    n.tick(5);
    assert.deepEqual(logTerms(n, 1), [1, 3, 4], 'and on S1');
  });

  void test('a stale-term request is answered so a deposed leader learns the new term (with CheckQuorum/PreVote)', () => {
    const cases: { type: MessageType; answer: string }[] = [
      { type: MessageType.App, answer: `${MessageType.AppResp}:2:t3` },
      { type: MessageType.Heartbeat, answer: `${MessageType.AppResp}:2:t3` },
      { type: MessageType.PreVote, answer: `${MessageType.PreVoteResp}:2:t3:reject` },
      { type: MessageType.Vote, answer: '' },
      { type: MessageType.AppResp, answer: '' },
      { type: MessageType.VoteResp, answer: '' },
    ];
    for (const c of cases) {
      const { r } = member({ terms: [1], term: 3, checkQuorum: true, preVote: true });
      r.step(message({ type: c.type, from: 2, to: 1, term: 2, index: 1, logTerm: 1 }));
      const got = r.msgs.map((m) => `${m.type}:${m.to}:t${m.term}${m.reject ? ':reject' : ''}`).join(',');
      assert.equal(got, c.answer, `stale ${c.type}`);
      assert.equal(r.term, 3);
    }
    // A deposed leader stepping down on that answer:
    const n = new RaftTestNetwork({ voters: [1, 2, 3] });
    n.campaign(1);
    const old = n.raft(1);
    old.step(message({ type: MessageType.AppResp, from: 2, to: 1, term: 5 }));
    assert.equal(old.role, StateRole.Follower);
    assert.equal(old.term, 5);
  });
});

void describe('§5.5 follower and candidate crashes', () => {
  void test('a restarted member resumes from its persisted log and hard state', () => {
    const n = net([1, 2, 3]);
    n.campaign(1);
    n.propose(1, 'a', 'b');
    n.settle();
    const s = n.storage(2);
    // Restart 2 from its storage.
    const again = n.addMember(2, {
      entries: s.entries(1, s.lastIndex() + 1, Number.MAX_SAFE_INTEGER),
      hardState: s.initialState().hardState,
    });
    assert.equal(again.term, 1);
    assert.equal(again.log.committed, 3);
    assert.deepEqual(n.logOf(2), n.logOf(1));
    n.propose(1, 'c');
    assert.deepEqual(n.logOf(2), n.logOf(1));
  });

  void test('a log entry conflicting with a committed one is refused by the log itself', () => {
    const { r } = member({ terms: [1, 1], term: 1, commit: 2 });
    assert.throws(() => r.log.maybeAppend(1, 1, 2, ents([2, 2])), RaftInvariantError);
    assert.deepEqual(logTermsOf(r), [1, 1]);
  });
});

function logTermsOf(r: Raft): number[] {
  return r.log.allEntries().map((e) => e.term);
}
