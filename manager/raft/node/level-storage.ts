// Durable Raft storage on LevelDB, with a MemoryStorage mirror the core reads synchronously.
//
// Each change (a Ready's snapshot + entries + hard state, a new snapshot, a compaction) is ONE
// atomic LevelDB batch, written with `sync: true` when durability is required (LevelDB's
// default is not durable: a machine crash loses recent writes). The mirror is updated only after
// the batch is on disk, so the core never acts on state that a crash could take back.
// Changes run one at a time, in call order.

import { Level } from 'level';
import {
  CompactedError,
  RaftError,
  RaftInvariantError,
  SnapshotOutOfDateError,
  invariant,
} from '../errors.js';
import type { MemoryStorage } from '../storage.js';
import { isEmptySnapshot, type ConfState, type Entry, type HardState, type Snapshot } from '../types.js';
import { encodeEntry, encodeHardState, encodeLogStart, encodeSnapshot, encodeStoreHeader } from './codec.js';
import { buildMemory, loadLog, type RaftLevel } from './level-load.js';
import {
  FORMAT_VERSION,
  HARD_STATE_KEY,
  HEADER_KEY,
  LOG_START_KEY,
  SNAPSHOT_KEY,
  STORE_KIND,
  entryKey,
  frame,
} from './level-records.js';
import { StorageCorruptError, StorageLockedError } from './storage-errors.js';

export type { RaftLevel } from './level-load.js';

export interface LevelStorageOptions {
  /** Largest stored value accepted when loading (default 1 GiB). */
  readonly maxRecordSize?: number;
  /** Creates the LevelDB handle; it must use 'view' key and value encodings. Tests wrap it. */
  readonly openDb?: (dir: string) => RaftLevel;
}

/** What a Ready asks to persist. */
export interface SaveRequest {
  readonly hardState?: HardState;
  readonly entries: readonly Entry[];
  readonly snapshot?: Snapshot;
}

type Op = { type: 'put'; key: Uint8Array; value: Uint8Array } | { type: 'del'; key: Uint8Array };

const DEFAULT_MAX_RECORD_SIZE = 1024 * 1024 * 1024;

function defaultOpenDb(dir: string): RaftLevel {
  return new Level<Uint8Array, Uint8Array>(dir, { keyEncoding: 'view', valueEncoding: 'view' });
}

function put(key: Uint8Array, payload: Uint8Array): Op {
  return { type: 'put', key, value: frame(key, payload) };
}

function del(key: Uint8Array): Op {
  return { type: 'del', key };
}

/** level reports open failures as LEVEL_DATABASE_NOT_OPEN with the reason in `cause`. */
function openError(dir: string, e: unknown): unknown {
  const cause: unknown = e instanceof Error ? e.cause : undefined;
  const code = typeof cause === 'object' && cause !== null ? (cause as { code?: unknown }).code : undefined;
  if (code === 'LEVEL_LOCKED') return new StorageLockedError(dir, e);
  if (code === 'LEVEL_CORRUPTION') {
    const reason = cause instanceof Error ? cause.message : String(cause);
    return new StorageCorruptError(dir, `LevelDB: ${reason}`);
  }
  return e;
}

export class LevelStorage {
  /** The state as last persisted; the core reads the log through it. */
  readonly memory: MemoryStorage;
  readonly path: string;
  private readonly db: RaftLevel;
  private tail: Promise<void> = Promise.resolve();
  private closed = false;
  private diverged: string | undefined;

  private constructor(db: RaftLevel, path: string, memory: MemoryStorage) {
    this.db = db;
    this.path = path;
    this.memory = memory;
  }

  /**
   * Opens (creating if needed) the log in `dir` and loads it. Throws StorageLockedError if the
   * directory is in use and StorageCorruptError if what is stored is not a consistent log.
   */
  static async open(dir: string, opts: LevelStorageOptions = {}): Promise<LevelStorage> {
    const db = (opts.openDb ?? defaultOpenDb)(dir);
    try {
      await db.open();
    } catch (e: unknown) {
      throw openError(dir, e);
    }
    try {
      const log = await loadLog(db, dir, opts.maxRecordSize ?? DEFAULT_MAX_RECORD_SIZE);
      if (log.fresh) {
        const header = encodeStoreHeader({ formatVersion: FORMAT_VERSION, kind: STORE_KIND });
        await db.batch([put(HEADER_KEY, header)], { sync: true });
      }
      return new LevelStorage(db, dir, buildMemory(log));
    } catch (e: unknown) {
      await db.close();
      throw e;
    }
  }

  /**
   * Persists a Ready: snapshot, then entries (replacing any conflicting suffix), then hard
   * state, in one batch, synced when `sync`; then updates the mirror.
   */
  save(rd: SaveRequest, sync: boolean): Promise<void> {
    return this.serial(async () => {
      const snapshot = rd.snapshot !== undefined && !isEmptySnapshot(rd.snapshot) ? rd.snapshot : undefined;
      const ops = this.planSave(rd.entries, snapshot, rd.hardState);
      if (ops.length > 0) await this.db.batch(ops, { sync });
      this.mirror(() => {
        if (snapshot !== undefined) this.memory.applySnapshot(snapshot);
        this.memory.append(rd.entries);
        if (rd.hardState !== undefined) this.memory.setHardState(rd.hardState);
      });
    });
  }

  /** Records a snapshot the application took at `index` (<= applied), durably. Does not compact. */
  createSnapshot(index: number, confState: ConfState, data: Uint8Array): Promise<Snapshot> {
    return this.serial(async () => {
      const mem = this.memory;
      const current = mem.snapshot().metadata.index;
      if (index <= current) throw new SnapshotOutOfDateError(index, current);
      invariant(
        index <= mem.lastIndex(),
        () => `snapshot ${index} is beyond the last index ${mem.lastIndex()}`,
      );
      const snap: Snapshot = { metadata: { index, term: mem.term(index), confState }, data };
      await this.db.batch([put(SNAPSHOT_KEY, encodeSnapshot(snap))], { sync: true });
      return this.mirror(() => mem.createSnapshot(index, confState, data));
    });
  }

  /** Discards the entries up to and including `index`, which the snapshot must cover. */
  compact(index: number): Promise<void> {
    return this.serial(async () => {
      const mem = this.memory;
      const offset = mem.firstIndex() - 1;
      if (index <= offset) throw new CompactedError(index, offset + 1);
      const snapIndex = mem.snapshot().metadata.index;
      invariant(
        index <= snapIndex,
        () => `compact ${index} is beyond the snapshot at ${snapIndex}: uncovered entries would be lost`,
      );
      const ops: Op[] = [];
      for (let i = offset + 1; i <= index; i++) ops.push(del(entryKey(i)));
      ops.push(put(LOG_START_KEY, encodeLogStart({ index, term: mem.term(index) })));
      await this.db.batch(ops, { sync: true });
      this.mirror(() => mem.compact(index));
    });
  }

  /** Waits for pending changes, then closes the database. */
  close(): Promise<void> {
    return this.serial(async () => {
      this.closed = true;
      await this.db.close();
    });
  }

  /** The batch for a save, checked first so nothing the mirror would refuse reaches the disk. */
  private planSave(
    entries: readonly Entry[],
    snapshot: Snapshot | undefined,
    hardState: HardState | undefined,
  ): Op[] {
    const mem = this.memory;
    const ops: Op[] = [];
    let offset = mem.firstIndex() - 1;
    let offsetTerm = mem.term(offset);
    let last = mem.lastIndex();
    let snap = mem.snapshot().metadata;
    if (snapshot !== undefined) {
      if (snapshot.metadata.index <= snap.index)
        throw new SnapshotOutOfDateError(snapshot.metadata.index, snap.index);
      snap = snapshot.metadata;
      ops.push(put(SNAPSHOT_KEY, encodeSnapshot(snapshot)));
      ops.push(put(LOG_START_KEY, encodeLogStart({ index: snap.index, term: snap.term })));
      for (let i = offset + 1; i <= last; i++) ops.push(del(entryKey(i)));
      offset = snap.index;
      offsetTerm = snap.term;
      last = snap.index;
    }
    entries.forEach((e, i) => {
      const want = entries[0]!.index + i;
      invariant(
        e.index === want,
        () => `entries to save are not contiguous: index ${e.index} where ${want} was due`,
      );
    });
    const fresh = entries.filter((e) => e.index > offset);
    const first = fresh[0];
    if (first !== undefined) {
      invariant(
        first.index <= last + 1,
        () => `missing log entry [last: ${last}, append at: ${first.index}]`,
      );
      let prevTerm = first.index - 1 === offset ? offsetTerm : mem.term(first.index - 1);
      for (const e of fresh) {
        invariant(
          e.term >= prevTerm,
          () => `entry ${e.index} has term ${e.term}, lower than ${prevTerm} before it`,
        );
        prevTerm = e.term;
        ops.push(put(entryKey(e.index), encodeEntry(e)));
      }
      const newLast = first.index + fresh.length - 1;
      if (first.index <= snap.index) {
        const at = fresh[snap.index - first.index];
        invariant(
          at !== undefined && at.term === snap.term,
          () => `entries from ${first.index} would rewrite the log under the snapshot at ${snap.index}`,
        );
      }
      for (let i = newLast + 1; i <= last; i++) ops.push(del(entryKey(i)));
      last = newLast;
    }
    if (hardState !== undefined) ops.push(put(HARD_STATE_KEY, encodeHardState(hardState)));
    const commit = (hardState ?? mem.initialState().hardState).commit;
    invariant(commit <= last, () => `commit ${commit} would be beyond the last index ${last}`);
    return ops;
  }

  /** Applies a change to the mirror after it is on disk; if that fails they disagree for good. */
  private mirror<T>(apply: () => T): T {
    try {
      return apply();
    } catch (e: unknown) {
      this.diverged = e instanceof Error ? e.message : String(e);
      throw new RaftInvariantError(`storage mirror diverged from disk: ${this.diverged}`);
    }
  }

  private serial<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.tail.then(() => {
      if (this.closed) throw new RaftError('STORAGE_CLOSED', `raft storage at ${this.path} is closed`);
      if (this.diverged !== undefined) {
        throw new RaftInvariantError(`storage mirror diverged from disk: ${this.diverged}`);
      }
      return fn();
    });
    this.tail = run.then(
      () => undefined,
      () => undefined,
    );
    return run;
  }
}
