// Sealing a store an older build wrote in plain (format versions 1 and 2), when it is opened.
//
// Chosen over reading both formats for good: afterwards a store is in one format, which its
// header names, so a plain record in an encrypted store is refused as corrupt rather than
// trusted, and the plain copies of what the cluster stores (secrets, the root CA key) leave the
// disk at once instead of lingering until Raft compacts them away.
//
// Every record is re-sealed and the header raised in ONE synced LevelDB batch, so a crash
// leaves the store either wholly plain (sealed again at the next start) or wholly sealed. Then
// LevelDB is compacted over its whole range: until then the plain values it replaced still sit
// in its older table and log files.

import { encodeStoreHeader } from './codec.js';
import type { RaftLevel } from './level-load.js';
import {
  FORMAT_VERSION,
  HEADER_KEY,
  STORE_KIND,
  frame,
  sameKey,
  sealedFrame,
  unframe,
} from './level-records.js';
import type { RecordCipher } from './record-cipher.js';
import { RaftInvariantError } from '../errors.js';

export type Op = { type: 'put'; key: Uint8Array; value: Uint8Array } | { type: 'del'; key: Uint8Array };

/** The header, rewritten unchanged with `sync` to flush LevelDB's log (an empty batch is a no-op). */
const SYNC_HEADER = encodeStoreHeader({ formatVersion: FORMAT_VERSION, kind: STORE_KIND });

/** The current format header, in plain (it says how to read the rest). */
export function putHeader(): Op {
  return { type: 'put', key: HEADER_KEY, value: frame(HEADER_KEY, SYNC_HEADER) };
}

interface Compactable {
  compactRange(start: Uint8Array, end: Uint8Array): Promise<void>;
}

function isCompactable(db: object): db is Compactable {
  return typeof (db as { compactRange?: unknown }).compactRange === 'function';
}

/** Seals every record of a plain store that was loaded (so checked) already, and raises its header. */
export async function sealPlainStore(db: RaftLevel, cipher: RecordCipher): Promise<void> {
  const ops: Op[] = [];
  let first: Uint8Array | undefined;
  let last: Uint8Array | undefined;
  for await (const [key, value] of db.iterator()) {
    first ??= key;
    last = key;
    if (sameKey(key, HEADER_KEY)) continue;
    const u = unframe(key, value);
    // loadLog has just read every record; one that no longer unframes changed under us.
    if ('problem' in u) throw new RaftInvariantError(`plain record changed while sealing: ${u.problem}`);
    ops.push({ type: 'put', key, value: sealedFrame(cipher, key, u.payload) });
  }
  ops.push(putHeader());
  await db.batch(ops, { sync: true });
  if (first !== undefined && last !== undefined && isCompactable(db)) {
    await db.compactRange(first, last);
  }
}
