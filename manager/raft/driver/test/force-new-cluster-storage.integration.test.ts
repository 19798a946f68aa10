// The force-new-cluster rewrite against real LevelDB: the rewritten store keeps the snapshot and
// every committed entry, drops the uncommitted tail, reopens, and passes the durable checks
// (the watermark records the rewrite like any other write).

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { decodeConfChange, encodeConfChange } from '../../conf-change.js';
import { ConfChangeType, EntryType, type Entry, type Snapshot } from '../../types.js';
import { DurableWatermark } from '../durable-watermark.js';
import { forceNewCluster } from '../force-new-cluster.js';
import { LevelStorage } from '../level-storage.js';
import { StorageLockedError } from '../storage-errors.js';
import { ents, tempDir } from './level-fixtures.js';

const SNAPSHOT: Snapshot = {
  metadata: { index: 3, term: 1, confState: { voters: [1, 2, 3], learners: [] } },
  data: Uint8Array.of(7, 7, 7),
};

/** A closed store: snapshot at 3, entries 4..last (a conf change adding learner 4 at 5), commit. */
async function seed(dir: string, last: number, commit: number): Promise<Entry[]> {
  const s = await LevelStorage.open(dir);
  const entries = ents(4, last, 2).map((e) =>
    e.index === 5
      ? {
          ...e,
          type: EntryType.ConfChange,
          data: encodeConfChange({ type: ConfChangeType.AddLearner, nodeId: 4, context: new Uint8Array(0) }),
        }
      : e,
  );
  await s.save({ snapshot: SNAPSHOT, entries: [], hardState: { term: 2, vote: 1, commit: 3 } }, true);
  await s.save({ entries, hardState: { term: 2, vote: 1, commit } }, true);
  await s.close();
  return entries;
}

test('an uncommitted tail is replaced by committed removals; the store reopens and passes the durable checks', async (t) => {
  const dir = await tempDir(t);
  const before = await seed(dir, 12, 9);
  const plan = await forceNewCluster(dir, { self: 2, address: '127.0.0.1:4000' });
  assert.deepEqual(plan.removed, [1, 3, 4]);
  assert.equal(plan.dropped, 3);

  for (let reopen = 0; reopen < 2; reopen++) {
    const s = await LevelStorage.open(dir);
    try {
      assert.equal(s.notice, undefined);
      const mem = s.memory;
      assert.deepEqual(mem.snapshot(), SNAPSHOT);
      assert.deepEqual(mem.initialState().hardState, { term: 2, vote: 1, commit: 13 });
      assert.equal(mem.lastIndex(), 13);
      // Every committed entry is kept as it was.
      assert.deepEqual(mem.entries(4, 10, Number.MAX_SAFE_INTEGER), before.slice(0, 6));
      const appended = mem.entries(10, 14, Number.MAX_SAFE_INTEGER);
      assert.deepEqual(
        appended.map((e) => {
          const cc = decodeConfChange(e.data);
          return [e.index, e.term, cc.type, cc.nodeId];
        }),
        [
          [10, 2, ConfChangeType.RemoveNode, 1],
          [11, 2, ConfChangeType.RemoveNode, 3],
          [12, 2, ConfChangeType.RemoveNode, 4],
          [13, 2, ConfChangeType.AddNode, 2],
        ],
      );
    } finally {
      await s.close();
    }
  }
  // The watermark records the rewritten log (what open checked against).
  const stored = await DurableWatermark.read(dir);
  assert.equal(stored?.mark.kind, 'state');
  assert.equal(stored?.mark.index, 13);
  assert.equal(stored?.mark.hardState.commit, 13);
});

test('no uncommitted tail: the removals are appended; run twice, the second removes nobody', async (t) => {
  const dir = await tempDir(t);
  await seed(dir, 8, 8);
  const first = await forceNewCluster(dir, { self: 1, address: 'h1:2377' });
  assert.equal(first.dropped, 0);
  assert.deepEqual(first.removed, [2, 3, 4]);
  const second = await forceNewCluster(dir, { self: 1, address: 'h1:2377' });
  assert.deepEqual(second.before, { voters: [1], learners: [] });
  assert.deepEqual(second.removed, []);
  const s = await LevelStorage.open(dir);
  try {
    assert.equal(s.memory.lastIndex(), 13);
    assert.equal(s.memory.initialState().hardState.commit, 13);
  } finally {
    await s.close();
  }
});

test('a store still open (its manager running) is refused, untouched', async (t) => {
  const dir = await tempDir(t);
  await seed(dir, 8, 6);
  const running = await LevelStorage.open(dir);
  try {
    await assert.rejects(forceNewCluster(dir, { self: 1, address: 'h1:2377' }), StorageLockedError);
    assert.equal(running.memory.lastIndex(), 8);
  } finally {
    await running.close();
  }
});
