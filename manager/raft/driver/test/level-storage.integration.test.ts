import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Level } from 'level';
import { CompactedError, RaftError, RaftInvariantError, SnapshotOutOfDateError } from '../../errors.js';
import { EMPTY_HARD_STATE, type ConfState, type Snapshot } from '../../types.js';
import { entryKey } from '../level-records.js';
import { LevelStorage, type RaftLevel } from '../level-storage.js';
import { ent, ents, rawKeys, stateOf, tempDir } from './level-fixtures.js';

const conf: ConfState = { voters: [1, 2, 3], learners: [4] };
const hex = (k: Uint8Array): string => Buffer.from(k).toString('hex');

/** Opens, runs `fn`, closes; returns the state before close and the state after reopening. */
async function roundTrip(dir: string, fn: (s: LevelStorage) => Promise<void>): Promise<[unknown, unknown]> {
  const s = await LevelStorage.open(dir);
  await fn(s);
  const before = stateOf(s.memory);
  await s.close();
  const again = await LevelStorage.open(dir);
  const after = stateOf(again.memory);
  await again.close();
  return [before, after];
}

void test('a new directory opens empty, and reopens empty', async (t) => {
  const dir = await tempDir(t);
  const [before, after] = await roundTrip(dir, () => Promise.resolve());
  assert.deepEqual(after, before);
  const s = await LevelStorage.open(dir);
  assert.deepEqual(s.memory.initialState().hardState, EMPTY_HARD_STATE);
  assert.equal(s.memory.firstIndex(), 1);
  assert.equal(s.memory.lastIndex(), 0);
  assert.equal(s.memory.snapshot().metadata.index, 0);
  await s.close();
});

void test('saved hard state and entries (empty, large) come back identical', async (t) => {
  const dir = await tempDir(t);
  const large = new Uint8Array(2 * 1024 * 1024).map((_, i) => (i * 7) & 0xff);
  const [before, after] = await roundTrip(dir, async (s) => {
    await s.save(
      {
        entries: [ent(1, 1, new Uint8Array(0)), ent(2, 1), ent(3, 2, large)],
        hardState: { term: 2, vote: 1, commit: 1 },
      },
      true,
    );
    await s.save({ entries: [ent(4, 3), ent(5, 3)], hardState: { term: 3, vote: 2, commit: 4 } }, false);
    await s.save({ entries: [] }, true);
  });
  assert.deepEqual(after, before);
  assert.deepEqual(before, {
    initial: { hardState: { term: 3, vote: 2, commit: 4 }, confState: { voters: [], learners: [] } },
    first: 1,
    last: 5,
    entries: [ent(1, 1, new Uint8Array(0)), ent(2, 1), ent(3, 2, large), ent(4, 3), ent(5, 3)],
    terms: [0, 1, 1, 2, 3, 3],
    snapshot: {
      metadata: { index: 0, term: 0, confState: { voters: [], learners: [] } },
      data: new Uint8Array(0),
    },
  });
});

void test('a truncated conflicting suffix stays truncated after reopen', async (t) => {
  const dir = await tempDir(t);
  const [before, after] = await roundTrip(dir, async (s) => {
    await s.save({ entries: ents(1, 8, 1), hardState: { term: 1, vote: 1, commit: 3 } }, true);
    // A new leader at term 2 overwrites from index 5 with a shorter log.
    await s.save({ entries: [ent(5, 2), ent(6, 2)], hardState: { term: 2, vote: 2, commit: 3 } }, true);
  });
  assert.deepEqual(after, before);
  const s = await LevelStorage.open(dir);
  assert.equal(s.memory.lastIndex(), 6);
  assert.deepEqual(s.memory.entries(4, 7, Infinity), [ent(4, 1), ent(5, 2), ent(6, 2)]);
  await s.close();
  const keys = await rawKeys(dir);
  assert.ok(!keys.includes(hex(entryKey(7))) && !keys.includes(hex(entryKey(8))), 'suffix deleted on disk');
});

void test('a snapshot, then compaction, persist across reopen', async (t) => {
  const dir = await tempDir(t);
  const setup = async (s: LevelStorage): Promise<void> => {
    await s.save(
      { entries: [...ents(1, 4, 1), ...ents(5, 10, 2)], hardState: { term: 2, vote: 1, commit: 10 } },
      true,
    );
    const snap = await s.createSnapshot(8, conf, Uint8Array.of(1, 2, 3));
    assert.deepEqual(snap.metadata, { index: 8, term: 2, confState: conf });
  };
  const [b1, a1] = await roundTrip(dir, setup);
  assert.deepEqual(a1, b1);

  // Compact below the snapshot: the log starts before the snapshot, which stays in force.
  const [b2, a2] = await roundTrip(dir, (s) => s.compact(3));
  assert.deepEqual(a2, b2);
  const mid = await LevelStorage.open(dir);
  assert.equal(mid.memory.firstIndex(), 4);
  assert.equal(mid.memory.term(3), 1);
  assert.deepEqual(mid.memory.snapshot(), {
    metadata: { index: 8, term: 2, confState: conf },
    data: Uint8Array.of(1, 2, 3),
  });
  await mid.close();

  const [b3, a3] = await roundTrip(dir, (s) => s.compact(8));
  assert.deepEqual(a3, b3);
  const end = await LevelStorage.open(dir);
  assert.equal(end.memory.firstIndex(), 9);
  assert.equal(end.memory.lastIndex(), 10);
  assert.equal(end.memory.term(8), 2);
  await end.close();
  const keys = await rawKeys(dir);
  for (let i = 1; i <= 8; i++) assert.ok(!keys.includes(hex(entryKey(i))), `entry ${i} deleted on disk`);
  assert.ok(keys.includes(hex(entryKey(9))));
});

void test('a snapshot received from the leader replaces the log, durably', async (t) => {
  const dir = await tempDir(t);
  const snap: Snapshot = { metadata: { index: 20, term: 4, confState: conf }, data: Uint8Array.of(42) };
  const [before, after] = await roundTrip(dir, async (s) => {
    await s.save({ entries: ents(1, 5, 1), hardState: { term: 1, vote: 1, commit: 5 } }, true);
    await s.save(
      { snapshot: snap, entries: [ent(21, 4), ent(22, 4)], hardState: { term: 4, vote: 0, commit: 20 } },
      true,
    );
  });
  assert.deepEqual(after, before);
  const s = await LevelStorage.open(dir);
  assert.equal(s.memory.firstIndex(), 21);
  assert.equal(s.memory.lastIndex(), 22);
  assert.deepEqual(s.memory.snapshot(), snap);
  await s.close();
  const keys = await rawKeys(dir);
  for (let i = 1; i <= 5; i++) assert.ok(!keys.includes(hex(entryKey(i))));
});

void test('bad requests are refused before anything reaches the disk', async (t) => {
  const dir = await tempDir(t);
  const [before, after] = await roundTrip(dir, async (s) => {
    await s.save({ entries: ents(1, 6, 1), hardState: { term: 1, vote: 1, commit: 6 } }, true);
    await s.createSnapshot(4, conf, Uint8Array.of(1));
    await assert.rejects(s.save({ entries: [ent(9, 1)] }, true), RaftInvariantError); // gap
    await assert.rejects(s.save({ entries: [ent(7, 1), ent(9, 1)] }, true), RaftInvariantError); // not contiguous
    await assert.rejects(s.save({ entries: [ent(7, 0)] }, true), RaftInvariantError); // term goes down
    await assert.rejects(
      s.save({ entries: [], hardState: { term: 1, vote: 1, commit: 7 } }, true),
      RaftInvariantError,
    );
    await assert.rejects(s.save({ entries: [ent(5, 1)] }, true), RaftInvariantError); // would cut below commit 6
    await assert.rejects(s.save({ entries: [ent(3, 2)] }, true), /rewrite the log under the snapshot/);
    const old: Snapshot = { metadata: { index: 4, term: 1, confState: conf }, data: Uint8Array.of() };
    await assert.rejects(s.save({ snapshot: old, entries: [] }, true), SnapshotOutOfDateError);
    await assert.rejects(s.createSnapshot(3, conf, Uint8Array.of()), SnapshotOutOfDateError);
    await assert.rejects(s.createSnapshot(7, conf, Uint8Array.of()), RaftInvariantError);
    await assert.rejects(s.compact(5), /beyond the snapshot at 4/);
    await s.compact(2);
    await assert.rejects(s.compact(2), CompactedError);
  });
  assert.deepEqual(after, before);
});

void test('changes run one at a time, in call order', async (t) => {
  const dir = await tempDir(t);
  const s = await LevelStorage.open(dir);
  // Each step depends on the previous one being applied.
  await Promise.all([
    s.save({ entries: ents(1, 3, 1), hardState: { term: 1, vote: 1, commit: 3 } }, true),
    s.save({ entries: ents(4, 6, 1), hardState: { term: 1, vote: 1, commit: 6 } }, true),
    s.createSnapshot(5, conf, Uint8Array.of(5)),
    s.compact(5),
  ]);
  assert.equal(s.memory.firstIndex(), 6);
  assert.equal(s.memory.lastIndex(), 6);
  const closing = s.close();
  await assert.rejects(
    s.save({ entries: [] }, true),
    (e: unknown) => e instanceof RaftError && e.code === 'STORAGE_CLOSED',
  );
  await closing;
});

void test('writes are single batches, then a sync of the log exactly when durability is asked for', async (t) => {
  const dir = await tempDir(t);
  const calls: { keys: string[]; sync: boolean | undefined }[] = [];
  type Op = { type: 'put' | 'del'; key: Uint8Array };
  type BatchFn = (ops: Op[], options?: { sync?: boolean }) => Promise<void>;
  const openDb = (d: string): RaftLevel => {
    const db = new Level<Uint8Array, Uint8Array>(d, { keyEncoding: 'view', valueEncoding: 'view' });
    const real = db.batch.bind(db) as unknown as BatchFn;
    const spy: BatchFn = (ops, options) => {
      calls.push({ keys: ops.map((o) => `${o.type}:${hex(o.key)}`), sync: options?.sync });
      return real(ops, options);
    };
    db.batch = spy as unknown as RaftLevel['batch'];
    return db;
  };
  const s = await LevelStorage.open(dir, { openDb });
  assert.deepEqual(calls.splice(0), [{ keys: ['put:76'], sync: true }], 'format header written synced');

  // A durable change: one batch handed to the OS, then LevelDB's log synced (the header
  // rewritten unchanged) while the durable watermark is written.
  const synced = { keys: ['put:76'], sync: true };
  await s.save({ entries: [ent(1, 1), ent(2, 1)], hardState: { term: 1, vote: 1, commit: 0 } }, true);
  assert.deepEqual(calls.splice(0), [
    { keys: [`put:${hex(entryKey(1))}`, `put:${hex(entryKey(2))}`, 'put:68'], sync: false },
    synced,
  ]);
  await s.save({ entries: [ent(3, 1)] }, false);
  assert.deepEqual(calls.splice(0), [{ keys: [`put:${hex(entryKey(3))}`], sync: false }]);
  await s.save({ entries: [ent(2, 2)], hardState: { term: 2, vote: 2, commit: 1 } }, true);
  assert.deepEqual(calls.splice(0), [
    { keys: [`put:${hex(entryKey(2))}`, `del:${hex(entryKey(3))}`, 'put:68'], sync: false },
    synced,
  ]);
  await s.createSnapshot(1, conf, Uint8Array.of(1));
  assert.deepEqual(calls.splice(0), [{ keys: ['put:73'], sync: false }, synced]);
  await s.compact(1);
  assert.deepEqual(calls.splice(0), [{ keys: [`del:${hex(entryKey(1))}`, 'put:6f'], sync: true }]);
  await s.close();
});
