// Table tests for the Raft core's building blocks: quorum arithmetic, the inflights window,
// follower progress, the log (stable + unstable), MemoryStorage, the conf change encoding, and
// RawNode's Ready/advance contract.

import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeConfChange, encodeConfChange } from '../conf-change.js';
import {
  CompactedError,
  RaftError,
  RaftInvariantError,
  SnapshotOutOfDateError,
  UnavailableError,
} from '../errors.js';
import { Inflights } from '../inflights.js';
import { NO_LIMIT, RaftLog } from '../log.js';
import { UnstableLog } from '../log-unstable.js';
import { Progress, ProgressState } from '../progress.js';
import { VoteResult, committedIndex, hasQuorum, voteResult } from '../quorum.js';
import { SeededRandom } from '../random.js';
import { RawNode } from '../raw-node.js';
import { MemoryStorage, entrySize, limitSize } from '../storage.js';
import {
  ConfChangeType,
  EntryType,
  MessageType,
  StateRole,
  message,
  type ConfChange,
  type Entry,
  type RaftId,
  type Ready,
  type Snapshot,
} from '../types.js';
import {
  ELECTION_TICK,
  HEARTBEAT_TICK,
  bytes,
  entriesWithTerms,
  newStorage,
  text,
} from './support/harness.js';

function ent(index: number, term: number, data = ''): Entry {
  return { index, term, type: EntryType.Normal, data: bytes(data) };
}

function ids(es: readonly Entry[]): string[] {
  return es.map((e) => `${e.index}:${e.term}`);
}

function snapshot(index: number, term: number, voters: RaftId[] = [1, 2, 3]): Snapshot {
  return { metadata: { index, term, confState: { voters, learners: [] } }, data: new Uint8Array(0) };
}

/** A MemoryStorage holding (3,3) as its snapshot point and entries 4:4, 5:5 (etcd's fixture). */
function storage345(): MemoryStorage {
  const s = new MemoryStorage();
  s.applySnapshot(snapshot(3, 3));
  s.append([ent(4, 4), ent(5, 5)]);
  return s;
}

function storedIds(s: MemoryStorage): string[] {
  const out = [`${s.firstIndex() - 1}:${s.term(s.firstIndex() - 1)}`];
  if (s.lastIndex() >= s.firstIndex())
    out.push(...ids(s.entries(s.firstIndex(), s.lastIndex() + 1, NO_LIMIT)));
  return out;
}

void describe('quorum', () => {
  void test('committedIndex is the highest index a majority of voters acknowledged', () => {
    const cases: { voters: number[]; match: Record<number, number>; want: number }[] = [
      { voters: [1], match: { 1: 5 }, want: 5 },
      { voters: [1, 2], match: { 1: 5, 2: 3 }, want: 3 },
      { voters: [1, 2, 3], match: { 1: 5, 2: 3, 3: 1 }, want: 3 },
      { voters: [1, 2, 3], match: { 1: 5, 2: 5, 3: 1 }, want: 5 },
      { voters: [1, 2, 3], match: { 1: 5 }, want: 0 }, // missing = 0
      { voters: [1, 2, 3, 4], match: { 1: 9, 2: 7, 3: 5, 4: 3 }, want: 5 },
      { voters: [1, 2, 3, 4, 5], match: { 1: 9, 2: 7, 3: 5, 4: 3, 5: 1 }, want: 5 },
      { voters: [1, 2, 3, 4, 5], match: { 1: 1, 2: 1, 3: 9, 4: 9, 5: 2 }, want: 2 },
      { voters: [1, 2, 3], match: { 1: 1, 2: 1, 3: 1, 4: 9, 5: 9 }, want: 1 }, // non-voters do not count
    ];
    for (const c of cases) {
      assert.equal(
        committedIndex(new Set(c.voters), (id) => c.match[id]),
        c.want,
        JSON.stringify(c),
      );
    }
    assert.equal(
      committedIndex(new Set(), () => 0),
      Number.MAX_SAFE_INTEGER,
      'an empty set commits everything',
    );
  });

  void test('voteResult: won with a majority granted, lost when a majority is out of reach, else pending', () => {
    const cases: { voters: number[]; votes: [number, boolean][]; want: VoteResult }[] = [
      { voters: [1], votes: [], want: VoteResult.Pending },
      { voters: [1], votes: [[1, true]], want: VoteResult.Won },
      { voters: [1], votes: [[1, false]], want: VoteResult.Lost },
      { voters: [1, 2, 3], votes: [[1, true]], want: VoteResult.Pending },
      {
        voters: [1, 2, 3],
        votes: [
          [1, true],
          [2, true],
        ],
        want: VoteResult.Won,
      },
      {
        voters: [1, 2, 3],
        votes: [
          [1, true],
          [2, false],
        ],
        want: VoteResult.Pending,
      },
      {
        voters: [1, 2, 3],
        votes: [
          [1, true],
          [2, false],
          [3, false],
        ],
        want: VoteResult.Lost,
      },
      {
        voters: [1, 2, 3, 4],
        votes: [
          [1, true],
          [2, true],
        ],
        want: VoteResult.Pending,
      },
      {
        voters: [1, 2, 3, 4],
        votes: [
          [1, true],
          [2, true],
          [3, false],
          [4, false],
        ],
        want: VoteResult.Lost,
      },
      {
        voters: [1, 2, 3, 4],
        votes: [
          [1, true],
          [2, true],
          [3, true],
        ],
        want: VoteResult.Won,
      },
      {
        voters: [1, 2, 3],
        votes: [
          [1, true],
          [7, true],
          [8, true],
        ],
        want: VoteResult.Pending,
      }, // non-voters
    ];
    for (const c of cases) {
      assert.equal(voteResult(new Set(c.voters), new Map(c.votes)), c.want, JSON.stringify(c));
    }
    assert.equal(voteResult(new Set(), new Map()), VoteResult.Won);
  });

  void test('hasQuorum: a majority of voters satisfy the predicate', () => {
    const cases: { voters: number[]; active: number[]; want: boolean }[] = [
      { voters: [1], active: [1], want: true },
      { voters: [1], active: [], want: false },
      { voters: [1, 2], active: [1], want: false },
      { voters: [1, 2], active: [1, 2], want: true },
      { voters: [1, 2, 3], active: [1, 3], want: true },
      { voters: [1, 2, 3], active: [2], want: false },
      { voters: [1, 2, 3, 4, 5], active: [1, 2, 9], want: false },
      { voters: [1, 2, 3, 4, 5], active: [1, 2, 5], want: true },
    ];
    for (const c of cases) {
      assert.equal(
        hasQuorum(new Set(c.voters), (id) => c.active.includes(id)),
        c.want,
        JSON.stringify(c),
      );
    }
  });
});

void describe('inflights', () => {
  void test('add until full; adding to a full window throws', () => {
    const in1 = new Inflights(3);
    assert.equal(in1.full(), false);
    in1.add(1);
    in1.add(2);
    assert.equal(in1.length, 2);
    in1.add(3);
    assert.equal(in1.full(), true);
    assert.throws(() => in1.add(4));
  });

  void test('freeLE frees every message up to an index, in order; below the first it frees nothing', () => {
    const w = new Inflights(10);
    for (let i = 1; i <= 5; i++) w.add(i * 10);
    w.freeLE(5);
    assert.equal(w.length, 5);
    w.freeLE(25);
    assert.equal(w.length, 3, 'frees 10 and 20');
    w.freeLE(30);
    assert.equal(w.length, 2);
    w.freeLE(1000);
    assert.equal(w.length, 0);
    w.freeLE(1000);
    assert.equal(w.length, 0);
  });

  void test('the ring buffer wraps around', () => {
    const w = new Inflights(10);
    for (let i = 0; i < 10; i++) w.add(i);
    assert.ok(w.full());
    w.freeLE(4);
    assert.equal(w.length, 5);
    for (let i = 10; i < 15; i++) w.add(i); // these land at the front of the buffer
    assert.ok(w.full());
    w.freeLE(8);
    assert.equal(w.length, 6);
    w.freeLE(12);
    assert.equal(w.length, 2);
    w.add(15);
    w.add(16);
    w.freeLE(14);
    assert.equal(w.length, 2);
    w.freeLE(16);
    assert.equal(w.length, 0);
    for (let i = 20; i < 30; i++) w.add(i);
    assert.ok(w.full());
  });

  void test('freeFirstOne frees exactly the oldest message; reset empties; clone is independent', () => {
    const w = new Inflights(4);
    w.add(5);
    w.add(9);
    w.freeFirstOne();
    assert.equal(w.length, 1);
    w.freeLE(8);
    assert.equal(w.length, 1, '9 is still in flight');
    const c = w.clone();
    w.reset();
    assert.equal(w.length, 0);
    assert.equal(c.length, 1);
    c.freeFirstOne();
    assert.equal(c.length, 0);
    c.freeFirstOne();
    assert.equal(c.length, 0);
  });
});

void describe('progress', () => {
  void test('state transitions set next from match (and from a pending snapshot)', () => {
    const p = new Progress(6, 10, false);
    p.match = 3;
    p.becomeReplicate();
    assert.equal(p.state, ProgressState.Replicate);
    assert.equal(p.next, 4);
    p.updateOnEntriesSend(2, 5);
    assert.equal(p.next, 6);
    assert.equal(p.inflights.length, 1);
    p.becomeProbe();
    assert.equal(p.state, ProgressState.Probe);
    assert.equal(p.next, 4);
    assert.equal(p.inflights.length, 0);
    p.becomeSnapshot(10);
    assert.equal(p.state, ProgressState.Snapshot);
    assert.equal(p.pendingSnapshot, 10);
    p.becomeProbe();
    assert.equal(p.next, 11, 'after a snapshot, probe after it');
    assert.equal(p.pendingSnapshot, 0);
    p.match = 20;
    p.becomeSnapshot(10);
    p.becomeProbe();
    assert.equal(p.next, 21, 'unless match is already beyond');
  });

  void test('maybeUpdate moves match forward only, and never moves next back', () => {
    const cases: { update: number; wantOk: boolean; wantMatch: number; wantNext: number }[] = [
      { update: 3, wantOk: false, wantMatch: 5, wantNext: 7 },
      { update: 5, wantOk: false, wantMatch: 5, wantNext: 7 },
      { update: 6, wantOk: true, wantMatch: 6, wantNext: 7 },
      { update: 7, wantOk: true, wantMatch: 7, wantNext: 8 },
    ];
    for (const c of cases) {
      const p = new Progress(7, 10, false);
      p.match = 5;
      p.probeSent = true;
      assert.equal(p.maybeUpdate(c.update), c.wantOk, `update ${c.update}`);
      assert.equal(p.match, c.wantMatch);
      assert.equal(p.next, c.wantNext);
      assert.equal(p.probeSent, !c.wantOk, 'an ack unpauses a probe');
    }
  });

  void test('maybeDecrTo ignores stale rejections and backs next up otherwise', () => {
    const cases: {
      state: ProgressState;
      match: number;
      next: number;
      rejected: number;
      hint: number;
      ok: boolean;
      wantNext: number;
    }[] = [
      // Replicate: a rejection at or below match is stale.
      { state: ProgressState.Replicate, match: 5, next: 10, rejected: 5, hint: 5, ok: false, wantNext: 10 },
      { state: ProgressState.Replicate, match: 5, next: 10, rejected: 4, hint: 4, ok: false, wantNext: 10 },
      // ...otherwise next goes back to match + 1, whatever the hint.
      { state: ProgressState.Replicate, match: 5, next: 10, rejected: 9, hint: 9, ok: true, wantNext: 6 },
      { state: ProgressState.Replicate, match: 0, next: 10, rejected: 9, hint: 2, ok: true, wantNext: 1 },
      // Probe: only a rejection of the probe in flight (next - 1) counts.
      { state: ProgressState.Probe, match: 0, next: 10, rejected: 5, hint: 5, ok: false, wantNext: 10 },
      { state: ProgressState.Probe, match: 0, next: 10, rejected: 9, hint: 9, ok: true, wantNext: 9 },
      { state: ProgressState.Probe, match: 0, next: 10, rejected: 9, hint: 3, ok: true, wantNext: 4 },
      { state: ProgressState.Probe, match: 0, next: 10, rejected: 9, hint: 0, ok: true, wantNext: 1 },
      { state: ProgressState.Probe, match: 0, next: 2, rejected: 1, hint: 0, ok: true, wantNext: 1 },
    ];
    for (const c of cases) {
      const p = new Progress(c.next, 10, false);
      p.match = c.match;
      p.state = c.state;
      p.probeSent = true;
      const label = JSON.stringify(c);
      assert.equal(p.maybeDecrTo(c.rejected, c.hint), c.ok, label);
      assert.equal(p.next, c.wantNext, label);
      if (c.ok && c.state === ProgressState.Probe) assert.equal(p.probeSent, false, label);
    }
  });

  void test('isPaused: a probe in flight, a full window, or a snapshot in flight', () => {
    const p = new Progress(1, 2, false);
    assert.equal(p.isPaused(), false);
    p.updateOnEntriesSend(0, 0);
    assert.equal(p.isPaused(), true, 'probe sent');
    p.becomeReplicate();
    assert.equal(p.isPaused(), false);
    p.updateOnEntriesSend(1, 1);
    p.updateOnEntriesSend(0, 1);
    assert.equal(p.isPaused(), false, 'empty appends take no slot');
    p.updateOnEntriesSend(1, 2);
    assert.equal(p.isPaused(), true, 'window full');
    p.inflights.freeLE(1);
    assert.equal(p.isPaused(), false);
    p.becomeSnapshot(9);
    assert.equal(p.isPaused(), true);
  });
});

void describe('unstable log', () => {
  void test('first/last index and term with and without a snapshot', () => {
    const u = new UnstableLog(5);
    assert.equal(u.maybeFirstIndex(), undefined);
    assert.equal(u.maybeLastIndex(), undefined);
    assert.equal(u.maybeTerm(5), undefined);
    u.truncateAndAppend([ent(5, 1), ent(6, 2)]);
    assert.equal(u.maybeFirstIndex(), undefined, 'only a snapshot gives a first index');
    assert.equal(u.maybeLastIndex(), 6);
    assert.equal(u.maybeTerm(6), 2);
    assert.equal(u.maybeTerm(7), undefined);
    assert.equal(u.maybeTerm(4), undefined);
    u.restore(snapshot(10, 3));
    assert.equal(u.offset, 11);
    assert.equal(u.maybeFirstIndex(), 11);
    assert.equal(u.maybeLastIndex(), 10);
    assert.equal(u.maybeTerm(10), 3);
    assert.equal(u.maybeTerm(9), undefined);
    u.truncateAndAppend([ent(11, 3)]);
    assert.equal(u.maybeLastIndex(), 11);
    u.stableSnapTo(9);
    assert.ok(u.snapshot, 'another index: kept');
    u.stableSnapTo(10);
    assert.equal(u.snapshot, undefined);
  });

  void test('truncateAndAppend: append, replace all, or keep a prefix', () => {
    const cases: { append: Entry[]; wantOffset: number; want: string[] }[] = [
      { append: [ent(7, 1)], wantOffset: 5, want: ['5:1', '6:1', '7:1'] },
      { append: [ent(5, 2)], wantOffset: 5, want: ['5:2'] },
      { append: [ent(4, 2), ent(5, 2)], wantOffset: 4, want: ['4:2', '5:2'] },
      { append: [ent(6, 2), ent(7, 2)], wantOffset: 5, want: ['5:1', '6:2', '7:2'] },
    ];
    for (const c of cases) {
      const u = new UnstableLog(5);
      u.truncateAndAppend([ent(5, 1), ent(6, 1)]);
      u.truncateAndAppend(c.append);
      assert.equal(u.offset, c.wantOffset, ids(c.append).join());
      assert.deepEqual(ids(u.entries), c.want);
    }
    const gap = new UnstableLog(5);
    gap.truncateAndAppend([ent(5, 1)]);
    assert.throws(() => gap.truncateAndAppend([ent(8, 1)]), RaftInvariantError);
  });

  void test('stableTo drops a persisted prefix only if the entry is still the one persisted', () => {
    const cases: { index: number; term: number; wantOffset: number; wantLen: number }[] = [
      { index: 5, term: 1, wantOffset: 6, wantLen: 1 },
      { index: 6, term: 1, wantOffset: 7, wantLen: 0 },
      { index: 6, term: 2, wantOffset: 5, wantLen: 2 }, // replaced since: stale
      { index: 4, term: 1, wantOffset: 5, wantLen: 2 }, // before the unstable part
      { index: 7, term: 1, wantOffset: 5, wantLen: 2 }, // beyond
    ];
    for (const c of cases) {
      const u = new UnstableLog(5);
      u.truncateAndAppend([ent(5, 1), ent(6, 1)]);
      u.stableTo(c.index, c.term);
      assert.equal(u.offset, c.wantOffset, JSON.stringify(c));
      assert.equal(u.entries.length, c.wantLen, JSON.stringify(c));
    }
  });

  void test('slice bounds are checked', () => {
    const u = new UnstableLog(5);
    u.truncateAndAppend([ent(5, 1), ent(6, 1), ent(7, 1)]);
    assert.deepEqual(ids(u.slice(6, 8)), ['6:1', '7:1']);
    assert.deepEqual(u.slice(6, 6), []);
    assert.throws(() => u.slice(4, 6), RaftInvariantError);
    assert.throws(() => u.slice(6, 9), RaftInvariantError);
    assert.throws(() => u.slice(7, 6), RaftInvariantError);
  });
});

void describe('MemoryStorage', () => {
  void test('term: compacted below the snapshot, unavailable past the end', () => {
    const s = storage345();
    assert.throws(() => s.term(2), CompactedError);
    assert.equal(s.term(3), 3, 'the snapshot point');
    assert.equal(s.term(4), 4);
    assert.equal(s.term(5), 5);
    assert.throws(() => s.term(6), UnavailableError);
    assert.equal(s.firstIndex(), 4);
    assert.equal(s.lastIndex(), 5);
  });

  void test('entries: bounds and size limits (always at least one entry)', () => {
    const s = new MemoryStorage();
    s.applySnapshot(snapshot(3, 3));
    s.append([ent(4, 4, 'aaaa'), ent(5, 5, 'bbbb'), ent(6, 6, 'cccc')]);
    const size = entrySize(ent(4, 4, 'aaaa'));
    const cases: { lo: number; hi: number; max: number; want: string[] | 'compacted' | 'unavailable' }[] = [
      { lo: 2, hi: 6, max: NO_LIMIT, want: 'compacted' },
      { lo: 3, hi: 4, max: NO_LIMIT, want: 'compacted' },
      { lo: 4, hi: 5, max: NO_LIMIT, want: ['4:4'] },
      { lo: 4, hi: 7, max: NO_LIMIT, want: ['4:4', '5:5', '6:6'] },
      { lo: 4, hi: 8, max: NO_LIMIT, want: 'unavailable' },
      { lo: 4, hi: 7, max: 0, want: ['4:4'] },
      { lo: 4, hi: 7, max: size, want: ['4:4'] },
      { lo: 4, hi: 7, max: 2 * size - 1, want: ['4:4'] },
      { lo: 4, hi: 7, max: 2 * size, want: ['4:4', '5:5'] },
      { lo: 4, hi: 7, max: 3 * size, want: ['4:4', '5:5', '6:6'] },
      { lo: 7, hi: 7, max: NO_LIMIT, want: [] },
    ];
    for (const c of cases) {
      const label = JSON.stringify(c);
      if (c.want === 'compacted') assert.throws(() => s.entries(c.lo, c.hi, c.max), CompactedError, label);
      else if (c.want === 'unavailable')
        assert.throws(() => s.entries(c.lo, c.hi, c.max), UnavailableError, label);
      else assert.deepEqual(ids(s.entries(c.lo, c.hi, c.max)), c.want, label);
    }
    assert.deepEqual(new MemoryStorage().entries(1, 1, NO_LIMIT), [], 'an empty storage');
  });

  void test('compact discards up to an index, keeping it as the dummy', () => {
    const cases: { i: number; want: string[] | 'compacted' | 'invariant' }[] = [
      { i: 2, want: 'compacted' },
      { i: 3, want: 'compacted' },
      { i: 4, want: ['4:4', '5:5'] },
      { i: 5, want: ['5:5'] },
      { i: 6, want: 'invariant' },
    ];
    for (const c of cases) {
      const s = storage345();
      if (c.want === 'compacted') assert.throws(() => s.compact(c.i), CompactedError, `compact(${c.i})`);
      else if (c.want === 'invariant')
        assert.throws(() => s.compact(c.i), RaftInvariantError, `compact(${c.i})`);
      else {
        s.compact(c.i);
        assert.deepEqual(storedIds(s), c.want, `compact(${c.i})`);
        assert.equal(s.firstIndex(), c.i + 1);
        assert.equal(s.snapshot().metadata.index, 3, 'compaction does not make a snapshot');
      }
    }
  });

  void test('createSnapshot records the term at an index, refuses older ones and indexes past the end', () => {
    const s = storage345();
    const cs = { voters: [1, 2], learners: [3] };
    const snap = s.createSnapshot(4, cs, bytes('data'));
    assert.deepEqual(snap.metadata, { index: 4, term: 4, confState: cs });
    assert.equal(text(s.snapshot().data), 'data');
    assert.deepEqual(s.initialState().confState, cs);
    assert.throws(() => s.createSnapshot(4, cs, bytes('')), SnapshotOutOfDateError);
    assert.throws(() => s.createSnapshot(3, cs, bytes('')), SnapshotOutOfDateError);
    assert.throws(() => s.createSnapshot(6, cs, bytes('')), RaftInvariantError);
    assert.deepEqual(storedIds(s), ['3:3', '4:4', '5:5'], 'no compaction');
  });

  void test('createSnapshot at an index compacted away (past the last snapshot) fails with a typed error', () => {
    const s = storage345();
    s.compact(5); // compaction alone does not move the snapshot (still at 3)
    assert.throws(
      () => s.createSnapshot(4, { voters: [1], learners: [] }, bytes('')),
      (e: unknown) => e instanceof RaftError,
      'a RaftError (e.g. CompactedError), not a TypeError from reading a missing entry',
    );
  });

  void test('append truncates a conflicting suffix and ignores what is compacted', () => {
    const cases: { append: Entry[]; want: string[] | 'invariant' }[] = [
      { append: [ent(1, 1), ent(2, 2)], want: ['3:3', '4:4', '5:5'] },
      { append: [ent(3, 3), ent(4, 4), ent(5, 5)], want: ['3:3', '4:4', '5:5'] },
      { append: [ent(3, 3), ent(4, 6), ent(5, 6)], want: ['3:3', '4:6', '5:6'] },
      { append: [ent(3, 3), ent(4, 4), ent(5, 5), ent(6, 5)], want: ['3:3', '4:4', '5:5', '6:5'] },
      { append: [ent(2, 3), ent(3, 3), ent(4, 5)], want: ['3:3', '4:5'] }, // truncates 5
      { append: [ent(4, 5)], want: ['3:3', '4:5'] },
      { append: [ent(6, 5)], want: ['3:3', '4:4', '5:5', '6:5'] },
      { append: [ent(7, 5)], want: 'invariant' }, // a gap
      { append: [], want: ['3:3', '4:4', '5:5'] },
    ];
    for (const c of cases) {
      const s = storage345();
      const label = ids(c.append).join(',');
      if (c.want === 'invariant') assert.throws(() => s.append(c.append), RaftInvariantError, label);
      else {
        s.append(c.append);
        assert.deepEqual(storedIds(s), c.want, label);
      }
    }
  });

  void test('applySnapshot replaces everything; an older or equal snapshot is refused', () => {
    const s = storage345();
    s.applySnapshot(snapshot(10, 7, [1, 2]));
    assert.deepEqual(storedIds(s), ['10:7']);
    assert.equal(s.firstIndex(), 11);
    assert.equal(s.lastIndex(), 10);
    assert.deepEqual(s.initialState().confState.voters, [1, 2]);
    assert.throws(() => s.applySnapshot(snapshot(10, 7)), SnapshotOutOfDateError);
    assert.throws(() => s.applySnapshot(snapshot(9, 7)), SnapshotOutOfDateError);
    const e = new SnapshotOutOfDateError(1, 2);
    assert.ok(e instanceof RaftError);
    assert.equal(e.code, 'SNAPSHOT_OUT_OF_DATE');
  });

  void test('limitSize keeps a prefix within the budget, at least one entry', () => {
    const es = [ent(1, 1, 'xxxx'), ent(2, 1, 'xxxx'), ent(3, 1, 'xxxx')];
    const one = entrySize(es[0]!);
    assert.equal(one, 20);
    assert.equal(limitSize(es, 0).length, 1);
    assert.equal(limitSize(es, 2 * one).length, 2);
    assert.equal(limitSize(es, NO_LIMIT), es, 'the same array when nothing is cut');
    assert.deepEqual(limitSize([], 0), []);
  });
});

void describe('RaftLog', () => {
  /** Stable [1:1, 2:2, 3:3], nothing unstable, committed `commit`. */
  function log123(commit = 1): RaftLog {
    const s = new MemoryStorage();
    s.append(entriesWithTerms([1, 2, 3]));
    const l = new RaftLog(s);
    l.committed = commit;
    return l;
  }

  void test('maybeAppend: match check, conflicts, and commit = min(leader commit, last new)', () => {
    const cases: {
      logTerm: number;
      index: number;
      commit: number;
      ents: Entry[];
      want: number | undefined | 'invariant';
      wantCommit: number;
      wantLog?: string[];
    }[] = [
      // not a match: wrong term, or index past the end
      { logTerm: 2, index: 3, commit: 3, ents: [ent(4, 4)], want: undefined, wantCommit: 1 },
      { logTerm: 3, index: 4, commit: 3, ents: [ent(5, 4)], want: undefined, wantCommit: 1 },
      // a match
      { logTerm: 3, index: 3, commit: 3, ents: [], want: 3, wantCommit: 3 },
      { logTerm: 3, index: 3, commit: 4, ents: [], want: 3, wantCommit: 3 }, // never past the last new
      { logTerm: 3, index: 3, commit: 2, ents: [], want: 3, wantCommit: 2 },
      { logTerm: 3, index: 3, commit: 0, ents: [], want: 3, wantCommit: 1 }, // never backwards
      { logTerm: 2, index: 2, commit: 3, ents: [], want: 2, wantCommit: 2 },
      { logTerm: 3, index: 3, commit: 4, ents: [ent(4, 4)], want: 4, wantCommit: 4 },
      { logTerm: 3, index: 3, commit: 5, ents: [ent(4, 4)], want: 4, wantCommit: 4 },
      { logTerm: 3, index: 3, commit: 4, ents: [ent(4, 4), ent(5, 4)], want: 5, wantCommit: 4 },
      // entries already present: nothing rewritten
      {
        logTerm: 1,
        index: 1,
        commit: 3,
        ents: [ent(2, 2)],
        want: 2,
        wantCommit: 2,
        wantLog: ['1:1', '2:2', '3:3'],
      },
      // a conflict past the commit index: the suffix is replaced
      { logTerm: 1, index: 1, commit: 3, ents: [ent(2, 4)], want: 2, wantCommit: 2, wantLog: ['1:1', '2:4'] },
      {
        logTerm: 2,
        index: 2,
        commit: 3,
        ents: [ent(3, 4), ent(4, 4)],
        want: 4,
        wantCommit: 3,
        wantLog: ['1:1', '2:2', '3:4', '4:4'],
      },
      // a conflict at or below the commit index: an invariant violation
      { logTerm: 0, index: 0, commit: 1, ents: [ent(1, 4)], want: 'invariant', wantCommit: 1 },
    ];
    for (const c of cases) {
      const l = log123(1);
      const label = JSON.stringify({ ...c, ents: ids(c.ents) });
      if (c.want === 'invariant') {
        assert.throws(() => l.maybeAppend(c.index, c.logTerm, c.commit, c.ents), RaftInvariantError, label);
        continue;
      }
      assert.equal(l.maybeAppend(c.index, c.logTerm, c.commit, c.ents), c.want, label);
      assert.equal(l.committed, c.wantCommit, label);
      if (c.wantLog) assert.deepEqual(ids(l.allEntries()), c.wantLog, label);
    }
  });

  void test('findConflict: the first entry missing or with another term', () => {
    const cases: { ents: Entry[]; want: number }[] = [
      { ents: [], want: 0 },
      { ents: [ent(1, 1), ent(2, 2), ent(3, 3)], want: 0 },
      { ents: [ent(2, 2), ent(3, 3)], want: 0 },
      { ents: [ent(3, 3)], want: 0 },
      { ents: [ent(1, 1), ent(2, 2), ent(3, 3), ent(4, 4), ent(5, 4)], want: 4 }, // new entries
      { ents: [ent(3, 3), ent(4, 4)], want: 4 },
      { ents: [ent(1, 4), ent(2, 4)], want: 1 }, // conflicts
      { ents: [ent(2, 1), ent(3, 4)], want: 2 },
      { ents: [ent(3, 1), ent(4, 2)], want: 3 },
    ];
    for (const c of cases) assert.equal(log123().findConflict(c.ents), c.want, ids(c.ents).join(','));
  });

  void test('findConflictByTerm: the largest index <= index whose term is <= term', () => {
    // Log: (compacted up to 2) 3:2 4:3 5:3 6:5 7:5
    const s = new MemoryStorage();
    s.applySnapshot(snapshot(2, 2));
    s.append([ent(3, 2), ent(4, 3), ent(5, 3), ent(6, 5), ent(7, 5)]);
    const l = new RaftLog(s);
    const cases: { index: number; term: number; want: number }[] = [
      { index: 7, term: 5, want: 7 },
      { index: 7, term: 6, want: 7 },
      { index: 7, term: 4, want: 5 }, // skips the term-5 entries
      { index: 7, term: 3, want: 5 },
      { index: 5, term: 2, want: 3 },
      { index: 4, term: 2, want: 3 },
      { index: 7, term: 1, want: 1 }, // reaches the compacted part: answers with a compacted index
      { index: 10, term: 5, want: 7 }, // past the end: from the last index
      { index: 0, term: 0, want: 0 },
    ];
    for (const c of cases) assert.equal(l.findConflictByTerm(c.index, c.term), c.want, JSON.stringify(c));
  });

  void test('maybeCommit commits only an entry of the given (current) term, and only forward', () => {
    const cases: { max: number; term: number; want: boolean; wantCommit: number }[] = [
      { max: 3, term: 3, want: true, wantCommit: 3 },
      { max: 3, term: 2, want: false, wantCommit: 1 }, // entry 3 is of term 3: not by counting
      { max: 2, term: 3, want: false, wantCommit: 1 }, // entry 2 is of term 2
      { max: 2, term: 2, want: true, wantCommit: 2 },
      { max: 1, term: 1, want: false, wantCommit: 1 }, // not forward
      { max: 0, term: 0, want: false, wantCommit: 1 },
    ];
    for (const c of cases) {
      const l = log123(1);
      assert.equal(l.maybeCommit(c.max, c.term), c.want, JSON.stringify(c));
      assert.equal(l.committed, c.wantCommit, JSON.stringify(c));
    }
  });

  void test('slice spans stable and unstable entries within a size limit; compacted ranges throw', () => {
    // Stable 3..5 (compacted up to 2), unstable 6..8.
    const s = new MemoryStorage();
    s.append(entriesWithTerms([1, 1, 1, 2, 2]));
    s.compact(2);
    const l = new RaftLog(s);
    l.append([ent(6, 3), ent(7, 3), ent(8, 3)]);
    assert.equal(l.unstable.offset, 6);
    const one = entrySize(ent(0, 0));
    const cases: { lo: number; hi: number; max: number; want: string[] | 'compacted' | 'invariant' }[] = [
      { lo: 3, hi: 9, max: NO_LIMIT, want: ['3:1', '4:2', '5:2', '6:3', '7:3', '8:3'] },
      { lo: 4, hi: 7, max: NO_LIMIT, want: ['4:2', '5:2', '6:3'] },
      { lo: 6, hi: 8, max: NO_LIMIT, want: ['6:3', '7:3'] },
      { lo: 5, hi: 5, max: NO_LIMIT, want: [] },
      { lo: 3, hi: 9, max: 0, want: ['3:1'] },
      { lo: 3, hi: 9, max: 3 * one, want: ['3:1', '4:2', '5:2'] }, // the limit falls at the boundary
      { lo: 4, hi: 9, max: 3 * one, want: ['4:2', '5:2', '6:3'] }, // ... or across it
      { lo: 4, hi: 9, max: one, want: ['4:2'] }, // ... or inside the stable part
      { lo: 6, hi: 9, max: one, want: ['6:3'] },
      { lo: 2, hi: 5, max: NO_LIMIT, want: 'compacted' },
      { lo: 1, hi: 2, max: NO_LIMIT, want: 'compacted' },
      { lo: 3, hi: 10, max: NO_LIMIT, want: 'invariant' },
      { lo: 5, hi: 4, max: NO_LIMIT, want: 'invariant' },
    ];
    for (const c of cases) {
      const label = JSON.stringify(c);
      if (c.want === 'compacted') assert.throws(() => l.slice(c.lo, c.hi, c.max), CompactedError, label);
      else if (c.want === 'invariant')
        assert.throws(() => l.slice(c.lo, c.hi, c.max), RaftInvariantError, label);
      else assert.deepEqual(ids(l.slice(c.lo, c.hi, c.max)), c.want, label);
    }
    assert.throws(() => l.entries(2, NO_LIMIT), CompactedError);
    assert.deepEqual(l.entries(9, NO_LIMIT), []);
  });

  void test('term and termOrCompacted around the compaction point and the ends', () => {
    const s = new MemoryStorage();
    s.append(entriesWithTerms([1, 1, 2]));
    s.compact(2);
    const l = new RaftLog(s);
    l.append([ent(4, 3)]);
    assert.equal(l.firstIndex(), 3);
    assert.equal(l.lastIndex(), 4);
    assert.equal(l.term(1), 0);
    assert.equal(l.termOrCompacted(1), 'compacted');
    assert.equal(l.term(2), 1, 'the compaction point keeps its term');
    assert.equal(l.termOrCompacted(2), 1);
    assert.equal(l.term(4), 3);
    assert.equal(l.term(5), 0);
    assert.equal(l.termOrCompacted(5), 0);
    assert.equal(l.lastTerm(), 3);
    assert.equal(l.matchTerm(2, 1), true);
    assert.equal(l.matchTerm(1, 1), false);
  });

  void test('isUpToDate compares last term, then last index', () => {
    const l = log123();
    const cases: [lastIndex: number, term: number, want: boolean][] = [
      [3, 3, true],
      [2, 3, false],
      [4, 3, true],
      [9, 2, false],
      [1, 4, true],
    ];
    for (const [i, t, want] of cases) assert.equal(l.isUpToDate(i, t), want, `(${i}, ${t})`);
  });

  void test('commitTo and appliedTo only move forward and within bounds', () => {
    const l = log123(1);
    l.commitTo(0);
    assert.equal(l.committed, 1);
    l.commitTo(3);
    assert.equal(l.committed, 3);
    assert.throws(() => l.commitTo(4), RaftInvariantError);
    l.appliedTo(2);
    assert.throws(() => l.appliedTo(1), RaftInvariantError, 'backwards');
    assert.throws(() => l.appliedTo(4), RaftInvariantError, 'past the commit index');
    assert.deepEqual(ids(l.nextCommittedEntries(NO_LIMIT)), ['3:3']);
    l.appliedTo(3);
    assert.equal(l.hasNextCommittedEntries(), false);
  });

  void test('restore installs a snapshot as the whole log until it is persisted', () => {
    const l = log123(1);
    l.append([ent(4, 3)]);
    l.restore(snapshot(10, 5));
    assert.equal(l.committed, 10);
    assert.equal(l.firstIndex(), 11);
    assert.equal(l.lastIndex(), 10);
    assert.equal(l.lastTerm(), 5);
    assert.equal(l.hasPendingSnapshot(), true);
    assert.deepEqual(l.unstableEntries(), []);
    assert.deepEqual(l.nextCommittedEntries(NO_LIMIT), [], 'the snapshot is applied, not its entries');
    assert.equal(l.snapshot().metadata.index, 10);
  });
});

void describe('conf change encoding', () => {
  void test('round trip of every type, with and without context', () => {
    const cases: ConfChange[] = [
      { type: ConfChangeType.AddNode, nodeId: 1, context: new Uint8Array(0) },
      { type: ConfChangeType.RemoveNode, nodeId: 42, context: bytes('ctx') },
      { type: ConfChangeType.AddLearner, nodeId: Number.MAX_SAFE_INTEGER, context: bytes('10.0.0.1:4242') },
    ];
    for (const cc of cases) {
      const enc = encodeConfChange(cc);
      assert.equal(enc.byteLength, 10 + cc.context.byteLength);
      const dec = decodeConfChange(enc);
      assert.equal(dec.type, cc.type);
      assert.equal(dec.nodeId, cc.nodeId);
      assert.deepEqual([...dec.context], [...cc.context]);
    }
  });

  void test('decodes from a view into a larger buffer, and copies its context out', () => {
    const enc = encodeConfChange({ type: ConfChangeType.AddNode, nodeId: 7, context: bytes('ab') });
    const big = new Uint8Array(enc.byteLength + 5);
    big.set(enc, 3);
    const view = big.subarray(3, 3 + enc.byteLength);
    const dec = decodeConfChange(view);
    assert.equal(dec.nodeId, 7);
    assert.equal(text(dec.context), 'ab');
    big[3 + 10] = 0x7a;
    assert.equal(text(dec.context), 'ab', 'the decoded context does not alias the input');
  });

  void test('malformed input is refused with BAD_CONF_CHANGE', () => {
    const good = encodeConfChange({ type: ConfChangeType.AddNode, nodeId: 7, context: new Uint8Array(0) });
    const withBytes = (f: (dv: DataView) => void): Uint8Array => {
      const b = good.slice();
      f(new DataView(b.buffer));
      return b;
    };
    const cases: { name: string; data: Uint8Array }[] = [
      { name: 'empty', data: new Uint8Array(0) },
      { name: 'short header', data: good.slice(0, 9) },
      { name: 'version 0', data: withBytes((dv) => dv.setUint8(0, 0)) },
      { name: 'version 2', data: withBytes((dv) => dv.setUint8(0, 2)) },
      { name: 'type 3', data: withBytes((dv) => dv.setUint8(1, 3)) },
      { name: 'type 255', data: withBytes((dv) => dv.setUint8(1, 255)) },
      { name: 'id 0', data: withBytes((dv) => dv.setFloat64(2, 0)) },
      { name: 'id -1', data: withBytes((dv) => dv.setFloat64(2, -1)) },
      { name: 'id 1.5', data: withBytes((dv) => dv.setFloat64(2, 1.5)) },
      { name: 'id NaN', data: withBytes((dv) => dv.setFloat64(2, NaN)) },
      { name: 'id Infinity', data: withBytes((dv) => dv.setFloat64(2, Infinity)) },
      { name: 'id 2^53', data: withBytes((dv) => dv.setFloat64(2, 2 ** 53)) },
    ];
    for (const c of cases) {
      assert.throws(
        () => decodeConfChange(c.data),
        (e: unknown) => e instanceof RaftError && e.code === 'BAD_CONF_CHANGE',
        c.name,
      );
    }
  });
});

void describe('RawNode', () => {
  interface Handle {
    readonly rn: RawNode;
    readonly storage: MemoryStorage;
    /** Persists the Ready's snapshot, entries and hard state (the application's step 1). */
    readonly persist: (rd: Ready) => void;
  }

  function rawNode(id: RaftId, voters: RaftId[]): Handle {
    const storage = newStorage({ conf: { voters, learners: [] } });
    const rn = new RawNode({
      id,
      electionTick: ELECTION_TICK,
      heartbeatTick: HEARTBEAT_TICK,
      storage,
      random: new SeededRandom(7),
    });
    return {
      rn,
      storage,
      persist: (rd: Ready): void => {
        if (rd.snapshot) storage.applySnapshot(rd.snapshot);
        storage.append(rd.entries);
        if (rd.hardState) storage.setHardState(rd.hardState);
      },
    };
  }

  void test('a single member: soft and hard state, entries to persist, then committed entries, each handed out once', () => {
    const { rn, persist } = rawNode(1, [1]);
    assert.equal(rn.hasReady(), false, 'nothing to do at start');
    rn.campaign();
    assert.equal(rn.hasReady(), true);
    let rd = rn.ready();
    assert.deepEqual(rd.softState, { lead: 1, role: StateRole.Leader });
    assert.deepEqual(rd.hardState, { term: 1, vote: 1, commit: 0 });
    assert.deepEqual(ids(rd.entries), ['1:1']);
    assert.deepEqual(rd.committedEntries, [], 'not committed before the leader persisted it');
    assert.equal(rd.mustSync, true);
    assert.deepEqual(rd.messages, []);
    assert.throws(() => rn.ready(), RaftInvariantError, 'one Ready at a time');
    assert.throws(() => rn.hasReady(), RaftInvariantError);
    persist(rd);
    rn.advance();
    // The leader's own copy now counts: entry 1 commits.
    assert.equal(rn.hasReady(), true);
    rd = rn.ready();
    assert.equal(rd.softState, undefined, 'soft state only when it changed');
    assert.deepEqual(rd.hardState, { term: 1, vote: 1, commit: 1 });
    assert.deepEqual(rd.entries, []);
    assert.deepEqual(ids(rd.committedEntries), ['1:1']);
    assert.equal(rd.mustSync, false, 'only the commit index changed');
    persist(rd);
    rn.advance();
    assert.equal(rn.hasReady(), false);
    rn.propose(bytes('x'));
    rd = rn.ready();
    assert.equal(rd.hardState, undefined, 'hard state only when it changed');
    assert.deepEqual(ids(rd.entries), ['2:1']);
    assert.equal(rd.mustSync, true);
    assert.equal(rn.canSendBeforePersist(), true, 'a leader may send while it writes');
    persist(rd);
    rn.advance();
    rd = rn.ready();
    assert.deepEqual(ids(rd.committedEntries), ['2:1'], 'entry 1 is not handed out again');
    assert.equal(text(rd.committedEntries[0]!.data), 'x');
    persist(rd);
    rn.advance();
    assert.equal(rn.hasReady(), false);
    assert.equal(rn.raft.log.applied, 2);
    assert.throws(() => rn.advance(), RaftInvariantError, 'advance without a Ready');
  });

  void test('a follower: messages after persisting, mustSync on term/vote/entries only, readStates', () => {
    const { rn, persist, storage } = rawNode(2, [1, 2, 3]);
    rn.step(
      message({
        type: MessageType.App,
        from: 1,
        to: 2,
        term: 1,
        index: 0,
        logTerm: 0,
        commit: 0,
        entries: [ent(1, 1, 'a')],
      }),
    );
    let rd = rn.ready();
    assert.deepEqual(rd.softState, { lead: 1, role: StateRole.Follower });
    assert.deepEqual(rd.hardState, { term: 1, vote: 0, commit: 0 });
    assert.deepEqual(ids(rd.entries), ['1:1']);
    assert.equal(rd.mustSync, true);
    assert.equal(rn.canSendBeforePersist(), false, 'a follower answers only once persisted');
    assert.deepEqual(
      rd.messages.map((m) => [m.type, m.to, m.index, m.reject]),
      [[MessageType.AppResp, 1, 1, false]],
    );
    persist(rd);
    rn.advance();
    assert.deepEqual(ids(storage.entries(1, 2, NO_LIMIT)), ['1:1']);
    assert.equal(rn.hasReady(), false);
    rn.step(
      message({ type: MessageType.Heartbeat, from: 1, to: 2, term: 1, commit: 1, context: bytes('rd') }),
    );
    rd = rn.ready();
    assert.deepEqual(rd.hardState, { term: 1, vote: 0, commit: 1 });
    assert.equal(rd.mustSync, false, 'a new commit index alone needs no sync');
    assert.deepEqual(ids(rd.committedEntries), ['1:1']);
    assert.equal(text(rd.messages[0]!.context), 'rd');
    persist(rd);
    rn.advance();
    rn.step(
      message({ type: MessageType.ReadIndexResp, from: 1, to: 2, term: 1, index: 1, context: bytes('q') }),
    );
    rd = rn.ready();
    assert.deepEqual(
      rd.readStates.map((rs) => `${text(rs.requestCtx)}@${rs.index}`),
      ['q@1'],
    );
    persist(rd);
    rn.advance();
    assert.equal(rn.hasReady(), false);
  });

  void test('a snapshot in a Ready comes with no committed entries; advance marks it applied', () => {
    const { rn, persist, storage } = rawNode(2, [1, 2, 3]);
    const snap: Snapshot = {
      metadata: { index: 5, term: 2, confState: { voters: [1, 2, 3], learners: [] } },
      data: bytes('five'),
    };
    rn.step(message({ type: MessageType.Snap, from: 1, to: 2, term: 2, snapshot: snap }));
    const rd = rn.ready();
    assert.equal(rd.snapshot?.metadata.index, 5);
    assert.deepEqual(rd.entries, []);
    assert.deepEqual(rd.committedEntries, []);
    assert.deepEqual(rd.hardState, { term: 2, vote: 0, commit: 5 });
    assert.deepEqual(
      rd.messages.map((m) => [m.type, m.index]),
      [[MessageType.AppResp, 5]],
    );
    persist(rd);
    rn.advance();
    assert.equal(rn.raft.log.applied, 5);
    assert.equal(rn.raft.log.firstIndex(), 6);
    assert.equal(storage.snapshot().metadata.index, 5);
    assert.equal(rn.hasReady(), false);
  });

  void test('step refuses local message types and drops responses from unknown members', () => {
    const { rn } = rawNode(1, [1, 2, 3]);
    for (const t of [
      MessageType.Hup,
      MessageType.Beat,
      MessageType.Unreachable,
      MessageType.SnapStatus,
      MessageType.CheckQuorum,
    ]) {
      const r = rn.step(message({ type: t, from: 2, to: 1 }));
      assert.ok(!r.ok && r.kind === 'local-message', `type ${t}`);
    }
    assert.equal(rn.raft.role, StateRole.Follower, 'a refused Hup started no election');
    rn.step(message({ type: MessageType.AppResp, from: 9, to: 1, term: 5 }));
    assert.equal(rn.raft.term, 0, 'a response from a stranger is dropped before it can bump the term');
    rn.step(message({ type: MessageType.Heartbeat, from: 9, to: 1, term: 5 }));
    assert.equal(rn.raft.term, 5, 'a leader unknown to us is heard');
    // A forwarded proposal a follower cannot take (no leader known any more) is dropped, not thrown.
    const { rn: lone } = rawNode(2, [1, 2, 3]);
    assert.equal(
      lone.step(message({ type: MessageType.Prop, from: 3, to: 2, entries: [ent(0, 0, 'p')] })).ok,
      false,
    );
    const mine = lone.propose(bytes('mine'));
    assert.ok(!mine.ok && mine.kind === 'no-leader', 'a local proposal without a leader is dropped');
  });
});
