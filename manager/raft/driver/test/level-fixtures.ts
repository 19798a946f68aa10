// Shared helpers for the LevelStorage tests: temp directories, raw LevelDB access, log fixtures.

import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import { Level } from 'level';
import type { MemoryStorage } from '../../storage.js';
import { EntryType, type Entry } from '../../types.js';
import { encodeStoreHeader } from '../codec.js';
import { readDekFile } from '../dek-file.js';
import { HEADER_KEY, STORE_KIND, frame, sameKey, sealedFrame, unframe } from '../level-records.js';
import { DEFAULT_KEY_FILE, type RaftLevel } from '../level-storage.js';
import { RecordCipher } from '../record-cipher.js';

/** A fresh directory under the OS temp dir, removed when the test ends. */
export async function tempDir(t: TestContext): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'shoal-level-storage-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

/** A raw handle on the storage's LevelDB, for inspecting or damaging it. */
export async function withRawDb<T>(dir: string, fn: (db: RaftLevel) => Promise<T>): Promise<T> {
  const db = new Level<Uint8Array, Uint8Array>(dir, { keyEncoding: 'view', valueEncoding: 'view' });
  await db.open();
  try {
    return await fn(db);
  } finally {
    await db.close();
  }
}

export async function rawKeys(dir: string): Promise<string[]> {
  return withRawDb(dir, async (db) => {
    const out: string[] = [];
    for await (const k of db.keys()) out.push(Buffer.from(k).toString('hex'));
    return out;
  });
}

export function ent(index: number, term: number, data?: Uint8Array): Entry {
  return { index, term, type: EntryType.Normal, data: data ?? Uint8Array.of(index & 0xff, term & 0xff) };
}

/** Entries lo..hi inclusive, all at `term`. */
export function ents(lo: number, hi: number, term: number): Entry[] {
  const out: Entry[] = [];
  for (let i = lo; i <= hi; i++) out.push(ent(i, term));
  return out;
}

/** Everything the core can read from a storage, for comparing before and after a reopen. */
export function stateOf(m: MemoryStorage): unknown {
  const first = m.firstIndex();
  const last = m.lastIndex();
  const terms: number[] = [];
  for (let i = first - 1; i <= last; i++) terms.push(m.term(i));
  return {
    initial: m.initialState(),
    first,
    last,
    entries: last >= first ? m.entries(first, last + 1, Number.MAX_SAFE_INTEGER) : [],
    terms,
    snapshot: m.snapshot(),
  };
}

/** A LevelDB handle whose `batch` fails once armed: before writing (disk full), or after. */
export function failingDb(mode: { armed: boolean; after: boolean }): (dir: string) => RaftLevel {
  return (dir) => {
    const db = new Level<Uint8Array, Uint8Array>(dir, { keyEncoding: 'view', valueEncoding: 'view' });
    return new Proxy(db, {
      get(target, prop) {
        if (prop === 'batch') {
          return async (...args: Parameters<RaftLevel['batch']>) => {
            if (!mode.armed) return (target.batch as (...a: unknown[]) => Promise<void>)(...args);
            if (mode.after) await (target.batch as (...a: unknown[]) => Promise<void>)(...args);
            throw Object.assign(new Error('IO error: 000005.log: No space left on device'), {
              code: 'LEVEL_IO_ERROR',
            });
          };
        }
        const v: unknown = Reflect.get(target, prop, target);
        return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
      },
    });
  };
}

/** The cipher of the store in `dir` (its key file at the default place). */
export async function storeCipher(dir: string): Promise<RecordCipher> {
  const dek = await readDekFile(join(dir, DEFAULT_KEY_FILE));
  if (dek === undefined) throw new Error(`no key file in ${dir}`);
  return new RecordCipher(dek);
}

/** A value as the storage in `dir` writes it: `payload` sealed with its key, then framed. */
export async function sealedValue(dir: string, key: Uint8Array, payload: Uint8Array): Promise<Uint8Array> {
  return sealedFrame(await storeCipher(dir), key, payload);
}

/** Rewrites the (closed) store in `dir` as an older build left it: plain records, header `version`. */
export async function unsealStore(dir: string, version: number): Promise<void> {
  const cipher = await storeCipher(dir);
  await withRawDb(dir, async (db) => {
    const ops: { type: 'put'; key: Uint8Array; value: Uint8Array }[] = [];
    for await (const [key, value] of db.iterator()) {
      const payload = sameKey(key, HEADER_KEY)
        ? encodeStoreHeader({ formatVersion: version, kind: STORE_KIND })
        : cipher.open(key, payloadOf(key, value));
      ops.push({ type: 'put', key, value: frame(key, payload) });
    }
    await db.batch(ops, { sync: true });
  });
}

/** The payload of a framed value (sealed or not); throws if the frame is damaged. */
export function payloadOf(key: Uint8Array, value: Uint8Array): Uint8Array {
  const u = unframe(key, value);
  if ('problem' in u) throw new Error(`bad frame: ${u.problem}`);
  return u.payload;
}
