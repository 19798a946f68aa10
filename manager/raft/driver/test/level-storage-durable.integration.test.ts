// The durable watermark against real LevelDB: a damaged, torn or lost log tail that held
// acknowledged (synced) writes is refused with an error naming the store and the remedy; a torn
// write that was never acknowledged is accepted; a failed write stops the storage for good.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdir, readFile, rm, stat, truncate, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { decodeStoreHeader, encodeHardState } from '../codec.js';
import { DurableWatermark } from '../durable-watermark.js';
import { FORMAT_VERSION, HARD_STATE_KEY, HEADER_KEY, entryKey, unframe } from '../level-records.js';
import { LevelStorage } from '../level-storage.js';
import { StorageCorruptError, StorageFailedError, StorageWritesLostError } from '../storage-errors.js';
import {
  ent,
  ents,
  failingDb,
  sealedValue,
  stateOf,
  tempDir,
  unsealStore,
  withRawDb,
} from './level-fixtures.js';

const PAYLOAD = 1024;

/** Saves entries from..to one synced batch each (as a Ready loop does), with commit following. */
async function acknowledge(s: LevelStorage, from: number, to: number, term = 1): Promise<void> {
  for (let i = from; i <= to; i++) {
    const data = new Uint8Array(PAYLOAD).fill(i & 0xff);
    await s.save({ entries: [ent(i, term, data)], hardState: { term, vote: 1, commit: i - 1 } }, true);
  }
}

/** A closed store with entries 1..n acknowledged. */
async function seeded(dir: string, n = 10): Promise<unknown> {
  const s = await LevelStorage.open(dir);
  await acknowledge(s, 1, n);
  const state = stateOf(s.memory);
  await s.close();
  return state;
}

/** The newest LevelDB write-ahead log in `dir`. */
async function newestLog(dir: string): Promise<string> {
  const logs = (await readdir(dir)).filter((n) => /^\d+\.log$/.test(n)).sort();
  const newest = logs[logs.length - 1];
  assert.ok(newest !== undefined, 'a LevelDB .log file');
  return join(dir, newest);
}

async function flipByteFromEnd(file: string, back: number): Promise<void> {
  const b = await readFile(file);
  assert.ok(b.byteLength > back, `${file} has more than ${back} bytes`);
  b[b.byteLength - back] = (b[b.byteLength - back] ?? 0) ^ 0x5a;
  await writeFile(file, b);
}

async function truncateBy(file: string, n: number): Promise<void> {
  const { size } = await stat(file);
  await truncate(file, Math.max(0, size - n));
}

async function refusedAsLost(dir: string, detail: RegExp): Promise<StorageWritesLostError> {
  let caught: StorageWritesLostError | undefined;
  await assert.rejects(LevelStorage.open(dir), (e: unknown) => {
    assert.ok(e instanceof StorageWritesLostError, `expected StorageWritesLostError, got ${String(e)}`);
    assert.ok(e instanceof StorageCorruptError);
    assert.equal(e.code, 'STORAGE_WRITES_LOST');
    assert.equal(e.path, dir);
    assert.equal(e.watermark, DurableWatermark.pathIn(dir));
    assert.match(e.message, new RegExp(`^raft storage at ${dir} has lost writes it acknowledged: `));
    assert.match(e.detail, detail);
    assert.ok(e.message.includes(DurableWatermark.pathIn(dir)), 'names the watermark');
    assert.match(e.message, /restore its data root .* from a backup/);
    assert.match(e.message, /shoal node rm --force.*delete the `swarm` folder.*join it again/);
    caught = e;
    return true;
  });
  // The refused directory is not left locked, and stays refused (LevelDB has rewritten its log).
  await withRawDb(dir, () => Promise.resolve());
  await assert.rejects(LevelStorage.open(dir), StorageWritesLostError);
  return caught!;
}

void test('a flipped byte 100 bytes from the end of the newest LevelDB log is refused, naming the file', async (t) => {
  const dir = await tempDir(t);
  await seeded(dir);
  const log = await newestLog(dir);
  await flipByteFromEnd(log, 100);
  const e = await refusedAsLost(dir, /^the log ends at index \d+ but entries up to 10 were acknowledged/);
  assert.ok(e.message.includes(log), `names ${log}: ${e.message}`);
});

void test('a LevelDB log truncated by 200 bytes is refused', async (t) => {
  const dir = await tempDir(t);
  await seeded(dir);
  await truncateBy(await newestLog(dir), 200);
  await refusedAsLost(dir, /^the log ends at index 9 but entries up to 10 were acknowledged/);
});

void test('a LevelDB log truncated to 0 bytes is refused, not started as an empty member', async (t) => {
  const dir = await tempDir(t);
  await seeded(dir);
  await truncate(await newestLog(dir), 0);
  await refusedAsLost(dir, /^the log is empty but entries up to 10 \(term 1, commit 9\) were acknowledged/);
});

void test('damage after several restarts (log tail in a later LevelDB file) is refused', async (t) => {
  const dir = await tempDir(t);
  await seeded(dir, 5);
  for (let round = 0; round < 3; round++) {
    const s = await LevelStorage.open(dir);
    const last = s.memory.lastIndex();
    await acknowledge(s, last + 1, last + 5);
    await s.close();
  }
  await truncateBy(await newestLog(dir), 200);
  await refusedAsLost(dir, /^the log ends at index 19 but entries up to 20 were acknowledged/);
});

void test('lost entries and an older hard state behind LevelDB’s back are refused', async (t) => {
  const dir = await tempDir(t);
  await seeded(dir);
  await withRawDb(dir, (db) => db.del(entryKey(10)));
  await refusedAsLost(dir, /^the log ends at index 9 but entries up to 10 were acknowledged/);

  const dir2 = await tempDir(t);
  const s = await LevelStorage.open(dir2);
  await acknowledge(s, 1, 3);
  await s.save({ entries: [], hardState: { term: 4, vote: 2, commit: 2 } }, true);
  await s.close();
  const olderHardState = await sealedValue(
    dir2,
    HARD_STATE_KEY,
    encodeHardState({ term: 1, vote: 1, commit: 2 }),
  );
  await withRawDb(dir2, (db) => db.put(HARD_STATE_KEY, olderHardState));
  await refusedAsLost(dir2, /^the hard state is at term 1 but term 4 was acknowledged/);
});

void test('a missing watermark is refused; a damaged one too', async (t) => {
  const dir = await tempDir(t);
  await seeded(dir);
  await rm(DurableWatermark.pathIn(dir));
  await refusedAsLost(dir, /^the durable watermark .* is missing/);

  const dir2 = await tempDir(t);
  await seeded(dir2);
  await writeFile(DurableWatermark.pathIn(dir2), new Uint8Array(1024).fill(7));
  await assert.rejects(LevelStorage.open(dir2), (e: unknown) => {
    assert.ok(e instanceof StorageCorruptError);
    assert.equal(e.code, 'STORAGE_CORRUPT');
    assert.match(e.detail, /the durable watermark .* is damaged \(no valid slot\)/);
    return true;
  });
});

void test('a torn write that was never acknowledged is accepted (the log before it comes back)', async (t) => {
  const dir = await tempDir(t);
  const acknowledged = await seeded(dir);
  const witness = await readFile(DurableWatermark.pathIn(dir));
  // Batch 11 reaches LevelDB, then the process dies before its watermark write: the watermark
  // still records 10; then the disk tears the tail of batch 11.
  const s = await LevelStorage.open(dir);
  await s.save(
    { entries: [ent(11, 1, new Uint8Array(8192).fill(11))], hardState: { term: 1, vote: 1, commit: 10 } },
    true,
  );
  await s.close();
  await writeFile(DurableWatermark.pathIn(dir), witness);
  await truncateBy(await newestLog(dir), 200);
  const again = await LevelStorage.open(dir);
  assert.deepEqual(stateOf(again.memory), acknowledged);
  await again.close();
  // It now records what is there: the next open needs nothing more.
  const third = await LevelStorage.open(dir);
  assert.equal(third.memory.lastIndex(), 10);
  await third.close();
});

void test('a write that reached LevelDB but not the watermark is kept', async (t) => {
  const dir = await tempDir(t);
  await seeded(dir);
  const witness = await readFile(DurableWatermark.pathIn(dir));
  const s = await LevelStorage.open(dir);
  await acknowledge(s, 11, 11);
  const state = stateOf(s.memory);
  await s.close();
  await writeFile(DurableWatermark.pathIn(dir), witness);
  const again = await LevelStorage.open(dir);
  assert.deepEqual(stateOf(again.memory), state);
  await again.close();
});

void test('a failed write stops the storage for good (fail-stop), and the log reopens as it was', async (t) => {
  const dir = await tempDir(t);
  const mode = { armed: false, after: false };
  const s = await LevelStorage.open(dir, { openDb: failingDb(mode) });
  await acknowledge(s, 1, 5);
  const before = stateOf(s.memory);
  mode.armed = true;
  await assert.rejects(acknowledge(s, 6, 6), (e: unknown) => {
    assert.ok(e instanceof StorageFailedError);
    assert.equal(e.code, 'STORAGE_FAILED');
    assert.match(e.message, /^raft storage at .* failed to write: IO error: .*No space left on device/);
    return true;
  });
  assert.ok(s.failure instanceof StorageFailedError);
  assert.deepEqual(stateOf(s.memory), before, 'the mirror did not take the failed write');
  mode.armed = false; // space is back: still refused, a failed fsync is not retried
  await assert.rejects(acknowledge(s, 6, 6), StorageFailedError);
  await assert.rejects(s.compact(1), StorageFailedError);
  await s.close();
  const again = await LevelStorage.open(dir);
  assert.deepEqual(stateOf(again.memory), before);
  await again.close();
});

void test('a crash in the middle of a rewrite of the log is not taken for lost writes', async (t) => {
  for (const after of [false, true]) {
    const dir = await tempDir(t);
    const mode = { armed: false, after };
    const s = await LevelStorage.open(dir, { openDb: failingDb(mode) });
    await s.save({ entries: ents(1, 8, 1), hardState: { term: 1, vote: 1, commit: 3 } }, true);
    mode.armed = true;
    // A new leader at term 2 replaces 5..8 with a shorter log; the process dies around the batch.
    await assert.rejects(
      s.save({ entries: [ent(5, 2), ent(6, 2)], hardState: { term: 2, vote: 2, commit: 3 } }, true),
      StorageFailedError,
    );
    await s.close();
    const again = await LevelStorage.open(dir);
    assert.equal(again.memory.lastIndex(), after ? 6 : 8, `batch ${after ? 'written' : 'not written'}`);
    assert.equal(again.memory.term(5), after ? 2 : 1);
    await again.close();
  }
});

void test('a store from an older version (no watermark) is accepted once with a notice and gets one', async (t) => {
  const dir = await tempDir(t);
  const state = await seeded(dir);
  await rm(DurableWatermark.pathIn(dir));
  await unsealStore(dir, 1);
  const s = await LevelStorage.open(dir);
  assert.match(s.notice ?? '', /written by an older shoal without a durable watermark: it is accepted/);
  assert.deepEqual(stateOf(s.memory), state);
  await s.close();
  const version = await withRawDb(dir, async (db) => {
    const u = unframe(HEADER_KEY, await db.get(HEADER_KEY));
    assert.ok('payload' in u);
    return decodeStoreHeader(u.payload).formatVersion;
  });
  assert.equal(version, FORMAT_VERSION);
  const again = await LevelStorage.open(dir);
  assert.equal(again.notice, undefined);
  await again.close();
  await rm(DurableWatermark.pathIn(dir));
  await refusedAsLost(dir, /^the durable watermark .* is missing/);
});

void test('a new store and snapshots, compactions and restarts keep opening cleanly', async (t) => {
  const dir = await tempDir(t);
  const s = await LevelStorage.open(dir);
  assert.equal(s.notice, undefined);
  await acknowledge(s, 1, 30);
  await s.createSnapshot(20, { voters: [1], learners: [] }, Uint8Array.of(1));
  await s.compact(15);
  const state = stateOf(s.memory);
  await s.close();
  const again = await LevelStorage.open(dir);
  assert.deepEqual(stateOf(again.memory), state);
  // A snapshot from a leader replaces the whole log.
  await again.save(
    {
      entries: [],
      snapshot: {
        metadata: { index: 40, term: 2, confState: { voters: [1], learners: [] } },
        data: Uint8Array.of(2),
      },
      hardState: { term: 2, vote: 0, commit: 40 },
    },
    false,
  );
  const installed = stateOf(again.memory);
  await again.close();
  const third = await LevelStorage.open(dir);
  assert.deepEqual(stateOf(third.memory), installed);
  await third.close();
});

void test('after a machine restart, only the one write in flight may be missing: it was never acknowledged', async (t) => {
  const otherBoot = 'f'.repeat(32);
  // The watermark and LevelDB's log sync of the last write run together: a machine crash can
  // persist the mark but not the log. Then (and only then: another boot ID) it is dropped.
  const dir = await tempDir(t);
  await seeded(dir);
  await truncateBy(await newestLog(dir), 200);
  const s = await LevelStorage.open(dir, { bootId: otherBoot });
  assert.match(
    s.notice ?? '',
    /the machine stopped during the last write to the log \(the log ends at index 9 but entries up to 10/,
  );
  assert.equal(s.memory.lastIndex(), 9);
  await s.close();
  const again = await LevelStorage.open(dir, { bootId: otherBoot });
  assert.equal(again.notice, undefined);
  await again.close();

  // More than that one write missing is refused after a restart of the machine too.
  const dir2 = await tempDir(t);
  await seeded(dir2);
  await truncateBy(await newestLog(dir2), 1500);
  await assert.rejects(LevelStorage.open(dir2, { bootId: otherBoot }), (e: unknown) => {
    assert.ok(e instanceof StorageWritesLostError);
    assert.match(e.detail, /^the log ends at index 8 but entries up to 10 were acknowledged/);
    return true;
  });
});
