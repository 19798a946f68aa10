// Table tests for the leader's bookkeeping: quorum arithmetic, the inflights window and
// follower progress.

import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Inflights } from '../inflights.js';
import { Progress, ProgressState } from '../progress.js';
import { VoteResult, committedIndex, hasQuorum, voteResult } from '../quorum.js';

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
