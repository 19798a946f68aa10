// Encryption at rest of the Raft storage: nothing stored is on disk in plain, a record that does
// not authenticate (altered, moved, another store's key) refuses the store, a missing key file
// refuses an encrypted store, and a plain store an older build wrote is sealed when opened.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { DekLockedError } from '../dek-file.js';
import { decodeStoreHeader } from '../codec.js';
import { DurableWatermark } from '../durable-watermark.js';
import { FORMAT_VERSION, HEADER_KEY, SNAPSHOT_KEY, entryKey, frame } from '../level-records.js';
import { DEFAULT_KEY_FILE, LevelStorage } from '../level-storage.js';
import { StorageCorruptError, StorageKeyError } from '../storage-errors.js';
import { ent, payloadOf, stateOf, tempDir, unsealStore, withRawDb } from './level-fixtures.js';

const SECRET = 'shoal-secret-7f3a9c-DO-NOT-LEAK';
const SNAP_SECRET = 'shoal-snapshot-secret-41b2e8';
const enc = new TextEncoder();

/** A closed store whose entries 1..12 and snapshot at 8 all carry distinctive strings. */
async function seeded(dir: string, opts: { keyFile?: string } = {}): Promise<unknown> {
  const s = await LevelStorage.open(dir, opts);
  for (let i = 1; i <= 12; i++) {
    await s.save(
      { entries: [ent(i, 1, enc.encode(`${SECRET}#${i}`))], hardState: { term: 1, vote: 1, commit: i } },
      true,
    );
  }
  await s.createSnapshot(8, { voters: [1], learners: [] }, enc.encode(SNAP_SECRET));
  const state = stateOf(s.memory);
  await s.close();
  return state;
}

/** Every file under `dir` whose bytes contain `needle`. */
async function filesHolding(dir: string, needle: string): Promise<string[]> {
  const hits: string[] = [];
  for (const e of await readdir(dir, { recursive: true, withFileTypes: true })) {
    if (!e.isFile()) continue;
    const path = join(e.parentPath, e.name);
    if ((await readFile(path)).includes(Buffer.from(needle))) hits.push(path);
  }
  return hits;
}

async function headerVersion(dir: string): Promise<number> {
  return withRawDb(
    dir,
    async (db) => decodeStoreHeader(payloadOf(HEADER_KEY, await db.get(HEADER_KEY))).formatVersion,
  );
}

async function refused(
  dir: string,
  pattern: RegExp,
  opts: { keyFile?: string } = {},
): Promise<StorageCorruptError> {
  let caught: StorageCorruptError | undefined;
  await assert.rejects(LevelStorage.open(dir, opts), (e: unknown) => {
    assert.ok(e instanceof StorageCorruptError, `expected StorageCorruptError, got ${String(e)}`);
    assert.match(e.message, new RegExp(`^raft storage at ${dir} `));
    assert.match(e.detail, pattern);
    caught = e;
    return true;
  });
  await withRawDb(dir, () => Promise.resolve()); // not left locked
  return caught!;
}

void test('a store is written sealed, reopened and read back whole', async (t) => {
  const dir = await tempDir(t);
  const state = await seeded(dir);
  assert.equal(await headerVersion(dir), FORMAT_VERSION);
  const again = await LevelStorage.open(dir);
  assert.deepEqual(stateOf(again.memory), state);
  assert.equal(new TextDecoder().decode(again.memory.snapshot().data), SNAP_SECRET);
  await again.close();
});

void test('no file of the storage directory holds what was stored', async (t) => {
  const dir = await tempDir(t);
  await seeded(dir);
  assert.deepEqual(await filesHolding(dir, SECRET), []);
  assert.deepEqual(await filesHolding(dir, SNAP_SECRET), []);
  // The search does find plain records (so its silence above means something).
  const plainDir = await tempDir(t);
  await seeded(plainDir);
  await unsealStore(plainDir, 2);
  assert.notDeepEqual(await filesHolding(plainDir, SECRET), []);
});

void test('the key file can live outside the store directory, private to its user', async (t) => {
  const root = await tempDir(t);
  const dir = join(root, 'raft');
  const keyFile = join(root, 'raft-dek.json');
  const state = await seeded(dir, { keyFile });
  assert.equal((await stat(keyFile)).mode & 0o777, 0o600);
  assert.ok(!(await readdir(dir)).includes(DEFAULT_KEY_FILE));
  const again = await LevelStorage.open(dir, { keyFile });
  assert.deepEqual(stateOf(again.memory), state);
  await again.close();
  assert.deepEqual(await filesHolding(root, SECRET), []);
});

/** Re-frames `value` with a valid checksum, so only the authentication can catch the change. */
function reframed(key: Uint8Array, sealed: Uint8Array): Uint8Array {
  return frame(key, sealed);
}

void test('a tampered byte in a stored value is refused at open', async (t) => {
  const dir = await tempDir(t);
  await seeded(dir);
  await withRawDb(dir, async (db) => {
    const sealed = Uint8Array.from(payloadOf(entryKey(10), await db.get(entryKey(10))));
    sealed[14] = (sealed[14] ?? 0) ^ 0x20;
    await db.put(entryKey(10), reframed(entryKey(10), sealed));
  });
  const e = await refused(dir, /^entry 10: does not authenticate under the data encryption key in /);
  assert.equal(e.code, 'STORAGE_CORRUPT');

  // Without a recomputed checksum the damage is caught by the checksum already.
  const dir2 = await tempDir(t);
  await seeded(dir2);
  await withRawDb(dir2, async (db) => {
    const v = await db.get(SNAPSHOT_KEY);
    v[v.length - 3] = (v[v.length - 3] ?? 0) ^ 0x01;
    await db.put(SNAPSHOT_KEY, v);
  });
  await refused(dir2, /^snapshot: checksum mismatch$/);
});

void test('a sealed record moved under another key is refused', async (t) => {
  const dir = await tempDir(t);
  await seeded(dir);
  await withRawDb(dir, async (db) => {
    const sealed = payloadOf(entryKey(11), await db.get(entryKey(11)));
    await db.put(entryKey(12), reframed(entryKey(12), sealed));
  });
  await refused(dir, /^entry 12: does not authenticate/);
});

void test('an encrypted store without its key file, or with a damaged one, is refused by name', async (t) => {
  const dir = await tempDir(t);
  await seeded(dir);
  const keyFile = join(dir, DEFAULT_KEY_FILE);
  const saved = await readFile(keyFile);
  await rm(keyFile);
  const e = await refused(
    dir,
    new RegExp(`^it is encrypted and its data encryption key file ${keyFile} is missing$`),
  );
  assert.ok(e instanceof StorageKeyError);
  assert.equal(e.code, 'STORAGE_KEY');
  assert.equal(e.keyFile, keyFile);
  assert.match(e.message, /cannot be decrypted: .* to recover, restore its data root/);
  assert.equal(await readFile(keyFile).catch(() => undefined), undefined, 'no new key was made for it');

  await writeFile(keyFile, '{"version":1,');
  assert.ok((await refused(dir, /^its key file is not valid JSON/)) instanceof StorageKeyError);
  await writeFile(keyFile, saved);
  const again = await LevelStorage.open(dir);
  await again.close();
});

void test("another store's key file is refused: nothing authenticates", async (t) => {
  const dir = await tempDir(t);
  await seeded(dir);
  const other = await tempDir(t);
  await (await LevelStorage.open(other)).close();
  await refused(dir, /^.*: does not authenticate under the data encryption key in /, {
    keyFile: join(other, DEFAULT_KEY_FILE),
  });
});

for (const version of [1, 2]) {
  void test(`a plain store of format ${version} is sealed when opened, and its plain copies leave the disk`, async (t) => {
    const dir = await tempDir(t);
    const state = await seeded(dir);
    await unsealStore(dir, version);
    await rm(join(dir, DEFAULT_KEY_FILE));
    if (version === 1) await rm(DurableWatermark.pathIn(dir));
    assert.notDeepEqual(await filesHolding(dir, SECRET), []);
    const s = await LevelStorage.open(dir);
    assert.deepEqual(stateOf(s.memory), state);
    assert.match(s.notice ?? '', /written by an older shoal in plain: it is encrypted now$/);
    await s.close();
    assert.equal(await headerVersion(dir), FORMAT_VERSION);
    assert.deepEqual(await filesHolding(dir, SECRET), []);
    assert.deepEqual(await filesHolding(dir, SNAP_SECRET), []);
    const again = await LevelStorage.open(dir);
    assert.deepEqual(stateOf(again.memory), state);
    assert.equal(again.notice, undefined);
    await again.close();
  });
}

void test('autolock: a store whose key is wrapped opens only with the unlock key; protectKey re-wraps it in place', async (t) => {
  const dir = await tempDir(t);
  const unlock = randomBytes(32);
  const s = await LevelStorage.open(dir, { unlockKey: unlock });
  await s.save(
    { entries: [ent(1, 1, enc.encode(SECRET))], hardState: { term: 1, vote: 1, commit: 1 } },
    true,
  );
  await s.close();
  await assert.rejects(LevelStorage.open(dir), DekLockedError);
  await assert.rejects(LevelStorage.open(dir, { unlockKey: randomBytes(32) }), DekLockedError);
  const reopened = await LevelStorage.open(dir, { unlockKey: unlock });
  assert.equal(reopened.memory.lastIndex(), 1);
  // Rotation, then autolock off: the records are untouched, only the key file changes.
  const next = randomBytes(32);
  await reopened.protectKey(next);
  await reopened.close();
  await assert.rejects(LevelStorage.open(dir, { unlockKey: unlock }), DekLockedError);
  const third = await LevelStorage.open(dir, { unlockKey: next });
  await third.protectKey(undefined);
  await third.close();
  const plain = await LevelStorage.open(dir);
  assert.equal(new TextDecoder().decode(plain.memory.entries(1, 2, Infinity)[0]!.data), SECRET);
  await plain.close();
  assert.deepEqual(await filesHolding(dir, SECRET), []);
});
