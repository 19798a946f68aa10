// Reading the durable Raft log back at start-up, and refusing it when it is not consistent.
//
// Every stored value is checksummed and decoded, and the pieces are checked against each other:
// the log is contiguous from the compaction point, terms never go down, the snapshot matches
// the log, the commit index is inside the log. Any failure is a StorageCorruptError naming
// what is wrong; a node must not run Raft on a log it cannot trust. In an encrypted store
// (FORMAT_VERSION) a record that does not authenticate under the key is such a failure too.

import type { Level } from 'level';
import { MemoryStorage } from '../storage.js';
import { EMPTY_HARD_STATE, type Entry, type HardState, type Snapshot } from '../types.js';
import {
  CodecError,
  decodeEntry,
  decodeHardState,
  decodeLogStart,
  decodeSnapshot,
  decodeStoreHeader,
  type LogStart,
  type StoreHeader,
} from './codec.js';
import {
  FORMAT_VERSION,
  HARD_STATE_KEY,
  PLAIN_FORMAT_VERSION,
  UNWITNESSED_FORMAT_VERSION,
  HEADER_KEY,
  LOG_START_KEY,
  SNAPSHOT_KEY,
  STORE_KIND,
  describeKey,
  entryIndexOfKey,
  sameKey,
  unframe,
} from './level-records.js';
import { RecordAuthError, type RecordCipher } from './record-cipher.js';
import { StorageCorruptError, StorageKeyError } from './storage-errors.js';

/** The LevelDB handle the storage uses: byte keys, byte values ('view' encodings). */
export type RaftLevel = Level<Uint8Array, Uint8Array>;

/** The store's data encryption key, if there is one yet, and the file it is kept in. */
export interface StoreKey {
  readonly cipher: RecordCipher | undefined;
  readonly keyFile: string;
}

export interface LoadedLog {
  /** The directory held nothing: a new log. */
  readonly fresh: boolean;
  /** The format version in the header (FORMAT_VERSION for a fresh log; older ones are plain). */
  readonly formatVersion: number;
  readonly hardState: HardState;
  readonly logStart: LogStart;
  /** The latest snapshot; index 0 when there is none. */
  readonly snapshot: Snapshot;
  /** The stored entries, contiguous from logStart.index + 1. */
  readonly entries: readonly Entry[];
}

const EMPTY_SNAPSHOT: Snapshot = {
  metadata: { index: 0, term: 0, confState: { voters: [], learners: [] } },
  data: new Uint8Array(0),
};

class Reader {
  constructor(
    private readonly path: string,
    private readonly maxRecordSize: number,
    /** Set when the records are sealed. */
    private readonly key?: { readonly cipher: RecordCipher; readonly keyFile: string },
  ) {}

  corrupt(detail: string): StorageCorruptError {
    return new StorageCorruptError(this.path, detail);
  }

  /** Checks the frame of a stored value and decodes its payload. */
  read<T>(key: Uint8Array, value: Uint8Array, decode: (b: Uint8Array, o: { maxSize: number }) => T): T {
    const name = describeKey(key);
    const u = unframe(key, value);
    if ('problem' in u) throw this.corrupt(`${name}: ${u.problem}`);
    let payload = u.payload;
    if (this.key !== undefined) {
      try {
        payload = this.key.cipher.open(key, payload);
      } catch (e: unknown) {
        if (!(e instanceof RecordAuthError)) throw e;
        throw this.corrupt(
          `${name}: does not authenticate under the data encryption key in ${this.key.keyFile} ` +
            `(the record was altered, or that key is not this store's)`,
        );
      }
    }
    try {
      return decode(payload, { maxSize: this.maxRecordSize });
    } catch (e: unknown) {
      if (e instanceof CodecError) throw this.corrupt(`${name}: ${e.message}`);
      throw e;
    }
  }
}

function checkHeader(r: Reader, header: StoreHeader): void {
  if (header.kind !== STORE_KIND) {
    throw r.corrupt(`not a raft log (header kind is '${header.kind}', expected '${STORE_KIND}')`);
  }
  const known = [UNWITNESSED_FORMAT_VERSION, PLAIN_FORMAT_VERSION, FORMAT_VERSION];
  if (!known.includes(header.formatVersion)) {
    throw r.corrupt(
      `unknown format version ${header.formatVersion} (this build reads versions ${known.join(', ')})`,
    );
  }
}

/**
 * Reads and validates everything stored in `db`: sealed records with `storeKey` (refused without
 * one), plain records of an older format as they are.
 */
export async function loadLog(
  db: RaftLevel,
  path: string,
  maxRecordSize: number,
  storeKey: StoreKey,
): Promise<LoadedLog> {
  const plain = new Reader(path, maxRecordSize);
  // The header first: an unknown format is reported as such, not as whatever it looks like.
  const rawHeader = (await db.get(HEADER_KEY)) as Uint8Array | undefined;
  if (rawHeader === undefined) {
    for await (const key of db.keys({ limit: 1 })) {
      throw plain.corrupt(`missing format header (found ${describeKey(key)})`);
    }
    return {
      fresh: true,
      formatVersion: FORMAT_VERSION,
      hardState: EMPTY_HARD_STATE,
      logStart: { index: 0, term: 0 },
      snapshot: EMPTY_SNAPSHOT,
      entries: [],
    };
  }
  const header = plain.read(HEADER_KEY, rawHeader, decodeStoreHeader);
  checkHeader(plain, header);
  let r = plain;
  if (header.formatVersion === FORMAT_VERSION) {
    const { cipher, keyFile } = storeKey;
    if (cipher === undefined) {
      throw new StorageKeyError(
        path,
        keyFile,
        `it is encrypted and its data encryption key file ${keyFile} is missing`,
      );
    }
    r = new Reader(path, maxRecordSize, { cipher, keyFile });
  }

  let hardState = EMPTY_HARD_STATE;
  let logStart: LogStart = { index: 0, term: 0 };
  let snapshot = EMPTY_SNAPSHOT;
  const entries: Entry[] = [];
  for await (const [key, value] of db.iterator()) {
    const index = entryIndexOfKey(key);
    if (index !== undefined) {
      const e = r.read(key, value, decodeEntry);
      if (e.index !== index) throw r.corrupt(`entry ${index}: holds entry ${e.index}`);
      const prev = entries[entries.length - 1];
      if (prev !== undefined && index !== prev.index + 1) {
        throw r.corrupt(`gap in log: entry ${prev.index + 1} missing after ${prev.index}`);
      }
      entries.push(e);
    } else if (sameKey(key, HARD_STATE_KEY)) {
      hardState = r.read(key, value, decodeHardState);
    } else if (sameKey(key, LOG_START_KEY)) {
      logStart = r.read(key, value, decodeLogStart);
    } else if (sameKey(key, SNAPSHOT_KEY)) {
      snapshot = r.read(key, value, decodeSnapshot);
    } else if (!sameKey(key, HEADER_KEY)) {
      throw r.corrupt(`unexpected ${describeKey(key)}`);
    }
  }
  const log: LoadedLog = {
    fresh: false,
    formatVersion: header.formatVersion,
    hardState,
    logStart,
    snapshot,
    entries,
  };
  checkConsistent(r, log);
  return log;
}

/** The cross-checks between the pieces of a loaded log. */
function checkConsistent(r: Reader, log: LoadedLog): void {
  const { logStart, snapshot, entries, hardState } = log;
  const snap = snapshot.metadata;
  if (logStart.index > snap.index) {
    throw r.corrupt(`log starts after ${logStart.index} but the snapshot only covers up to ${snap.index}`);
  }
  if (logStart.index === snap.index && logStart.term !== snap.term) {
    throw r.corrupt(
      `log start term ${logStart.term} differs from snapshot term ${snap.term} at index ${snap.index}`,
    );
  }
  const first = entries[0];
  if (first !== undefined && first.index <= logStart.index) {
    throw r.corrupt(`entry ${first.index} is at or below the compacted index ${logStart.index}`);
  }
  if (first !== undefined && first.index > logStart.index + 1) {
    throw r.corrupt(
      `gap in log: entry ${logStart.index + 1} missing after the compacted index ${logStart.index}`,
    );
  }
  let prevTerm = logStart.term;
  for (const e of entries) {
    if (e.term < prevTerm)
      throw r.corrupt(`entry ${e.index}: term ${e.term} is lower than the term ${prevTerm} before it`);
    prevTerm = e.term;
  }
  const lastIndex = logStart.index + entries.length;
  if (snap.index > lastIndex) {
    throw r.corrupt(`snapshot at ${snap.index} is beyond the last index ${lastIndex}`);
  }
  if (snap.index > logStart.index) {
    const at = entries[snap.index - logStart.index - 1];
    if (at === undefined || at.term !== snap.term) {
      throw r.corrupt(
        `snapshot term ${snap.term} at index ${snap.index} differs from the log's term ${at?.term ?? 'none'}`,
      );
    }
  }
  if (hardState.commit > lastIndex) {
    throw r.corrupt(`hard state commit ${hardState.commit} beyond last index ${lastIndex}`);
  }
}

/** The in-memory mirror of a loaded log, in exactly the state it was saved in. */
export function buildMemory(log: LoadedLog): MemoryStorage {
  const mem = new MemoryStorage();
  const { logStart, snapshot } = log;
  const snap = snapshot.metadata;
  if (snap.index > 0 && snap.index === logStart.index) {
    mem.applySnapshot(snapshot);
  } else if (logStart.index > 0) {
    // Compacted up to logStart, with a newer snapshot taken since: start the mirror at the
    // compaction point, then record the snapshot over the retained entries below.
    mem.applySnapshot({
      metadata: { index: logStart.index, term: logStart.term, confState: snap.confState },
      data: new Uint8Array(0),
    });
  }
  mem.append(log.entries);
  if (snap.index > logStart.index) mem.createSnapshot(snap.index, snap.confState, snapshot.data);
  mem.setHardState(log.hardState);
  return mem;
}
