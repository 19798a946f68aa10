import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { encodeEntry, encodeHardState, encodeLogStart, encodeStoreHeader } from '../codec.js';
import {
  FORMAT_VERSION,
  HARD_STATE_KEY,
  HEADER_KEY,
  LOG_START_KEY,
  SNAPSHOT_KEY,
  STORE_KIND,
  entryKey,
  frame,
} from '../level-records.js';
import { LevelStorage } from '../level-storage.js';
import { StorageCorruptError, StorageLockedError } from '../storage-errors.js';
import { ent, ents, sealedValue, tempDir, withRawDb } from './level-fixtures.js';
import type { RaftLevel } from '../level-storage.js';

/** A closed store holding entries 1..20 (terms 1..2), commit 15, a snapshot at 10 compacted to 5. */
async function seeded(dir: string): Promise<void> {
  const s = await LevelStorage.open(dir);
  await s.save(
    { entries: [...ents(1, 10, 1), ...ents(11, 20, 2)], hardState: { term: 2, vote: 1, commit: 15 } },
    true,
  );
  await s.createSnapshot(10, { voters: [1, 2, 3], learners: [] }, Uint8Array.of(7, 7));
  await s.compact(5);
  await s.close();
}

async function refused(dir: string, pattern: RegExp): Promise<void> {
  await assert.rejects(LevelStorage.open(dir), (e: unknown) => {
    assert.ok(e instanceof StorageCorruptError, `expected StorageCorruptError, got ${String(e)}`);
    assert.equal(e.code, 'STORAGE_CORRUPT');
    assert.equal(e.path, dir);
    assert.match(e.message, new RegExp(`^raft storage at ${dir} is corrupt: `));
    assert.match(e.detail, pattern);
    return true;
  });
  // The refused directory is not left locked.
  await withRawDb(dir, () => Promise.resolve());
}

function flip(v: Uint8Array, i: number, bit: number): void {
  v[i] = (v[i] ?? 0) ^ bit;
}

const damage: [string, (db: RaftLevel, dir: string) => Promise<void>, RegExp][] = [
  [
    'a flipped byte in an entry',
    async (db) => {
      const v = await db.get(entryKey(12));
      flip(v, v.length - 1, 0x01);
      await db.put(entryKey(12), v);
    },
    /^entry 12: checksum mismatch$/,
  ],
  [
    'a flipped byte in the hard state',
    async (db) => {
      const v = await db.get(HARD_STATE_KEY);
      flip(v, 0, 0x80);
      await db.put(HARD_STATE_KEY, v);
    },
    /^hard state: checksum mismatch$/,
  ],
  [
    'a flipped byte in the snapshot',
    async (db) => {
      const v = await db.get(SNAPSHOT_KEY);
      flip(v, 6, 0x10);
      await db.put(SNAPSHOT_KEY, v);
    },
    /^snapshot: checksum mismatch$/,
  ],
  [
    'a value too short to hold its checksum',
    (db) => db.put(entryKey(8), Uint8Array.of(1, 2)),
    /^entry 8: value too short \(2 bytes\)$/,
  ],
  [
    'an entry copied under another key',
    async (db) => db.put(entryKey(13), await db.get(entryKey(14))),
    /^entry 13: checksum mismatch$/,
  ],
  ['a missing middle entry', (db) => db.del(entryKey(17)), /^gap in log: entry 17 missing after 16$/],
  [
    'a missing first entry',
    (db) => db.del(entryKey(6)),
    /^gap in log: entry 6 missing after the compacted index 5$/,
  ],
  [
    'an unknown format version',
    (db) => db.put(HEADER_KEY, frame(HEADER_KEY, encodeStoreHeader({ formatVersion: 99, kind: STORE_KIND }))),
    /^unknown format version 99 \(this build reads versions 1, 2, 3\)$/,
  ],
  [
    'a header of some other kind of store',
    (db) =>
      db.put(HEADER_KEY, frame(HEADER_KEY, encodeStoreHeader({ formatVersion: FORMAT_VERSION, kind: 'kv' }))),
    /^not a raft log \(header kind is 'kv'/,
  ],
  ['a missing header', (db) => db.del(HEADER_KEY), /^missing format header \(found entry 6\)$/],
  [
    'a commit beyond the last index',
    async (db, dir) =>
      db.put(
        HARD_STATE_KEY,
        await sealedValue(dir, HARD_STATE_KEY, encodeHardState({ term: 2, vote: 1, commit: 30 })),
      ),
    /^hard state commit 30 beyond last index 20$/,
  ],
  [
    'an entry stored under the wrong index',
    async (db, dir) => db.put(entryKey(9), await sealedValue(dir, entryKey(9), encodeEntry(ent(4, 1)))),
    /^entry 9: holds entry 4$/,
  ],
  [
    'a log whose terms go down',
    async (db, dir) => db.put(entryKey(18), await sealedValue(dir, entryKey(18), encodeEntry(ent(18, 1)))),
    /^entry 18: term 1 is lower than the term 2 before it$/,
  ],
  [
    'a well-framed value that is not protobuf',
    async (db, dir) =>
      db.put(SNAPSHOT_KEY, await sealedValue(dir, SNAPSHOT_KEY, Uint8Array.of(0x0a, 0x50, 0x01))),
    /^snapshot: snapshot: malformed protobuf/,
  ],
  [
    'a log start beyond the snapshot',
    async (db, dir) =>
      db.put(LOG_START_KEY, await sealedValue(dir, LOG_START_KEY, encodeLogStart({ index: 12, term: 2 }))),
    /^log starts after 12 but the snapshot only covers up to 10$/,
  ],
  [
    'a snapshot whose term disagrees with the log',
    async (db, dir) => db.put(entryKey(10), await sealedValue(dir, entryKey(10), encodeEntry(ent(10, 2)))),
    /^snapshot term 1 at index 10 differs from the log's term 2$/,
  ],
  ['an unknown key', (db) => db.put(Uint8Array.of(0x7a), Uint8Array.of(0)), /^unexpected key 0x7a$/],
];

for (const [name, harm, pattern] of damage) {
  void test(`open refuses ${name}`, async (t) => {
    const dir = await tempDir(t);
    await seeded(dir);
    const s = await LevelStorage.open(dir); // intact before the damage
    await s.close();
    await withRawDb(dir, (db) => harm(db, dir));
    await refused(dir, pattern);
  });
}

void test('a second open of the same directory is refused clearly', async (t) => {
  const dir = await tempDir(t);
  const first = await LevelStorage.open(dir);
  await assert.rejects(LevelStorage.open(dir), (e: unknown) => {
    assert.ok(e instanceof StorageLockedError);
    assert.equal(e.code, 'STORAGE_LOCKED');
    assert.equal(e.path, dir);
    assert.match(e.message, /is already in use by another process or handle/);
    return true;
  });
  await first.close();
  const again = await LevelStorage.open(dir);
  await again.close();
});

void test('a directory held by another process is refused clearly', async (t) => {
  const dir = await tempDir(t);
  const moduleUrl = new URL('../level-storage.js', import.meta.url).href;
  const script = [
    `const { LevelStorage } = await import(${JSON.stringify(moduleUrl)});`,
    `const s = await LevelStorage.open(${JSON.stringify(dir)});`,
    `process.stdout.write('ready\\n');`,
    `process.stdin.resume();`,
    `process.stdin.on('end', () => { s.close().then(() => process.exit(0), () => process.exit(1)); });`,
  ].join('\n');
  const child = spawn(process.execPath, ['--input-type=module', '-e', script], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const exited = once(child, 'exit');
  let out = '';
  for await (const chunk of child.stdout) {
    out += String(chunk);
    if (out.includes('ready')) break;
  }
  assert.match(out, /ready/);
  await assert.rejects(LevelStorage.open(dir), StorageLockedError);
  child.stdin.end();
  const [code] = (await exited) as [number | null];
  assert.equal(code, 0);
  const s = await LevelStorage.open(dir);
  await s.close();
});
