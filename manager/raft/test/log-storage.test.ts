// Table tests for the log: the unstable part, MemoryStorage, and RaftLog over both.

import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  CompactedError,
  RaftError,
  RaftInvariantError,
  SnapshotOutOfDateError,
  UnavailableError,
} from '../errors.js';
import { NO_LIMIT, RaftLog } from '../log.js';
import { UnstableLog } from '../log-unstable.js';
import { MemoryStorage, entrySize, limitSize } from '../storage.js';
import { type Entry } from '../types.js';
import { bytes, entriesWithTerms, text } from './support/harness.js';
import { ent, ids, snapshot, storage345, storedIds } from './support/entries.js';

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
