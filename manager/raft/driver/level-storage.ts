// Durable Raft storage on LevelDB, with a MemoryStorage mirror the core reads synchronously.
//
// Each change (a Ready's snapshot + entries + hard state, a new snapshot, a compaction) is ONE
// atomic LevelDB batch, made durable when durability is required (LevelDB's default is not
// durable: a machine crash loses recent writes). The mirror is updated only after the change is
// on disk, so the core never acts on state that a crash could take back. Changes run one at a
// time, in call order.
//
// Every durable change is also recorded in the durable watermark (durable-watermark.ts), a small
// file outside LevelDB's log, before it counts as persisted (see persist()). At open, a log that
// holds less than its watermark records (LevelDB silently drops a damaged or torn log tail) is
// refused with StorageWritesLostError instead of serving with acknowledged writes missing; only
// what provably was never acknowledged is dropped. A write that fails (disk full, I/O error)
// stops the storage for good: StorageFailedError (fail-stop, as etcd does).
//
// Every record but the format header is sealed with the store's data encryption key (DEK,
// record-cipher.ts), kept in a key file (dek-file.ts) that the manager places in its swarm
// directory next to its TLS key. A new store gets a new DEK; a store an older build wrote in
// plain is sealed whole when opened (level-seal.ts); an encrypted store without its key file,
// or with a record that does not authenticate, is refused like any corrupt store.

import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
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
import { encodeEntry, encodeHardState, encodeLogStart, encodeSnapshot } from './codec.js';
import { isEmptyMark, markOf, missingFromLog } from './durable-check.js';
import {
  DurableWatermark,
  WatermarkUnreadableError,
  currentBootId,
  removeWatermarkLeftover,
  type DurableMark,
  type StoredMark,
} from './durable-watermark.js';
import { DekFileError, readDekFile, writeDekFile } from './dek-file.js';
import { buildMemory, loadLog, type LoadedLog, type RaftLevel } from './level-load.js';
import {
  FORMAT_VERSION,
  HARD_STATE_KEY,
  LOG_START_KEY,
  SNAPSHOT_KEY,
  UNWITNESSED_FORMAT_VERSION,
  entryKey,
  sealedFrame,
} from './level-records.js';
import { putHeader, sealPlainStore, type Op } from './level-seal.js';
import { RecordCipher } from './record-cipher.js';
import {
  StorageCorruptError,
  StorageFailedError,
  StorageKeyError,
  StorageLockedError,
  StorageWritesLostError,
} from './storage-errors.js';

export type { RaftLevel } from './level-load.js';

export interface LevelStorageOptions {
  /** Largest stored value accepted when loading (default 1 GiB). */
  readonly maxRecordSize?: number;
  /** Creates the LevelDB handle; it must use 'view' key and value encodings. Tests wrap it. */
  readonly openDb?: (dir: string) => RaftLevel;
  /** This machine start's boot ID (default: the kernel's). Tests set it to simulate a reboot. */
  readonly bootId?: string;
  /**
   * The file holding the store's data encryption key, created with a new key for a new store.
   * Default: DEFAULT_KEY_FILE inside the store's directory (tests, benchmarks); a manager keeps
   * it in its swarm directory instead, so that a copy of the raft directory alone is unreadable.
   */
  readonly keyFile?: string;
  /** The swarm's unlock key (its bytes), when the key file is wrapped with it (autolock). */
  readonly unlockKey?: Uint8Array;
}

export const DEFAULT_KEY_FILE = 'raft-dek.json';

/** What a Ready asks to persist. */
export interface SaveRequest {
  readonly hardState?: HardState;
  readonly entries: readonly Entry[];
  readonly snapshot?: Snapshot;
}

/** A planned save: the batch, the log it leaves, and what of the log it replaces, if anything. */
interface SavePlan {
  readonly ops: Op[];
  readonly after: DurableMark;
  /** Set when the batch replaces entries: the last entry kept (or covered by the snapshot). */
  readonly keeps?: { readonly index: number; readonly term: number };
}

const DEFAULT_MAX_RECORD_SIZE = 1024 * 1024 * 1024;
function defaultOpenDb(dir: string): RaftLevel {
  return new Level<Uint8Array, Uint8Array>(dir, { keyEncoding: 'view', valueEncoding: 'view' });
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
  /** Set when opening found something the operator should know (an old store upgraded). */
  readonly notice: string | undefined;
  private readonly db: RaftLevel;
  private readonly watermark: DurableWatermark;
  private readonly cipher: RecordCipher;
  private readonly key: { readonly file: string; readonly dek: Uint8Array };
  private tail: Promise<void> = Promise.resolve();
  private closed = false;
  private diverged: string | undefined;
  private failed: StorageFailedError | undefined;

  private constructor(
    db: RaftLevel,
    path: string,
    memory: MemoryStorage,
    watermark: DurableWatermark,
    cipher: RecordCipher,
    key: { readonly file: string; readonly dek: Uint8Array },
    notice: string | undefined,
  ) {
    this.db = db;
    this.cipher = cipher;
    this.key = key;
    this.path = path;
    this.memory = memory;
    this.watermark = watermark;
    this.notice = notice;
  }

  /**
   * Opens (creating if needed) the log in `dir` and loads it. Throws StorageLockedError if the
   * directory is in use and StorageCorruptError if what is stored is not a consistent log
   * (StorageKeyError: encrypted, and its key file is missing or unusable).
   */
  static async open(dir: string, opts: LevelStorageOptions = {}): Promise<LevelStorage> {
    // Named in a refusal: LevelDB replays (and then replaces) its newest log file when it opens.
    const levelLog = await newestLevelLog(dir);
    const db = (opts.openDb ?? defaultOpenDb)(dir);
    try {
      await db.open();
    } catch (e: unknown) {
      throw openError(dir, e);
    }
    try {
      const keyFile = opts.keyFile ?? join(dir, DEFAULT_KEY_FILE);
      const stored = await readKey(dir, keyFile, opts.unlockKey);
      const log = await loadLog(db, dir, opts.maxRecordSize ?? DEFAULT_MAX_RECORD_SIZE, {
        cipher: stored === undefined ? undefined : new RecordCipher(stored),
        keyFile,
      });
      // A new store, or one an older build wrote in plain: it gets a key now (kept durably
      // before anything is sealed with it). A key file left by an interrupted start is reused.
      const dek = stored ?? (await createKey(keyFile, opts.unlockKey));
      const cipher = new RecordCipher(dek);
      const bootId = opts.bootId ?? (await currentBootId());
      const { watermark, notice } = await witness(db, dir, log, levelLog, bootId, cipher);
      return new LevelStorage(db, dir, buildMemory(log), watermark, cipher, { file: keyFile, dek }, notice);
    } catch (e: unknown) {
      await db.close();
      throw e;
    }
  }

  /** A sealed record. */
  private put(key: Uint8Array, payload: Uint8Array): Op {
    return { type: 'put', key, value: sealedFrame(this.cipher, key, payload) };
  }

  /**
   * The store's data encryption key. The daemon derives from it the key its TLS key is
   * encrypted under while autolock is on, so that the unlock key protects one file only.
   */
  get dataKey(): Uint8Array {
    return this.key.dek;
  }

  /**
   * Rewrites the key file with the store's key protected by `unlockKey` (autolock on, or a
   * rotated unlock key), or as is (autolock off). The records stay as they are: only the key
   * that opens them is wrapped anew, so this is instant whatever the store's size.
   */
  protectKey(unlockKey: Uint8Array | undefined): Promise<void> {
    return this.serial(() => writeDekFile(this.key.file, this.key.dek, unlockKey));
  }

  /** Set once a write failed; every change after it is refused with this error. */
  get failure(): StorageFailedError | undefined {
    return this.failed;
  }

  /**
   * Persists a Ready: snapshot, then entries (replacing any conflicting suffix), then hard
   * state, in one batch, synced when `sync` (always with a snapshot); records a synced batch in
   * the watermark; then updates the mirror. A batch that replaces entries is announced in the
   * watermark first, so a crash in the middle is not mistaken for lost writes.
   */
  save(rd: SaveRequest, sync: boolean): Promise<void> {
    return this.serial(async () => {
      const snapshot = rd.snapshot !== undefined && !isEmptySnapshot(rd.snapshot) ? rd.snapshot : undefined;
      const plan = this.planSave(rd.entries, snapshot, rd.hardState);
      const durable = sync || snapshot !== undefined;
      if (plan.keeps !== undefined) {
        const mem = this.memory;
        await this.witness({
          kind: 'rewrite',
          ...plan.keeps,
          hardState: mem.initialState().hardState,
          snapshotIndex: mem.snapshot().metadata.index,
        });
      }
      if (plan.ops.length > 0) {
        if (durable) await this.persist(plan.ops, plan.after);
        else await this.write(plan.ops, false);
      }
      this.mirror(() => {
        if (snapshot !== undefined) this.memory.applySnapshot(snapshot);
        this.memory.append(rd.entries);
        if (rd.hardState !== undefined) this.memory.setHardState(rd.hardState);
      });
    });
  }

  /**
   * Records a snapshot the application took at `index` (<= applied), durably, with `hardState`
   * if given (in the same write: a snapshot needs the commit index on disk to cover it). Does
   * not compact.
   */
  createSnapshot(
    index: number,
    confState: ConfState,
    data: Uint8Array,
    hardState?: HardState,
  ): Promise<Snapshot> {
    return this.serial(async () => {
      const mem = this.memory;
      const current = mem.snapshot().metadata.index;
      if (index <= current) throw new SnapshotOutOfDateError(index, current);
      const last = mem.lastIndex();
      invariant(index <= last, () => `snapshot ${index} is beyond the last index ${last}`);
      const hs = hardState ?? mem.initialState().hardState;
      invariant(hs.commit <= last, () => `commit ${hs.commit} would be beyond the last index ${last}`);
      const snap: Snapshot = { metadata: { index, term: mem.term(index), confState }, data };
      const ops = [this.put(SNAPSHOT_KEY, encodeSnapshot(snap))];
      if (hardState !== undefined) ops.push(this.put(HARD_STATE_KEY, encodeHardState(hardState)));
      await this.persist(ops, {
        kind: 'state',
        index: last,
        term: mem.term(last),
        hardState: hs,
        snapshotIndex: index,
      });
      return this.mirror(() => {
        if (hardState !== undefined) mem.setHardState(hardState);
        return mem.createSnapshot(index, confState, data);
      });
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
      ops.push(this.put(LOG_START_KEY, encodeLogStart({ index, term: mem.term(index) })));
      // The watermark is unchanged: compaction keeps the last entry and the snapshot.
      await this.write(ops, true);
      this.mirror(() => mem.compact(index));
    });
  }

  /** Waits for pending changes, then closes the database. */
  close(): Promise<void> {
    return this.serial(async () => {
      this.closed = true;
      await this.watermark.close();
      await this.db.close();
    }, true);
  }

  /** The batch for a save, checked first so nothing the mirror would refuse reaches the disk. */
  private planSave(
    entries: readonly Entry[],
    snapshot: Snapshot | undefined,
    hardState: HardState | undefined,
  ): SavePlan {
    const mem = this.memory;
    const ops: Op[] = [];
    let offset = mem.firstIndex() - 1;
    let offsetTerm = mem.term(offset);
    let last = mem.lastIndex();
    let lastTerm = mem.term(last);
    let snap = mem.snapshot().metadata;
    let keeps: SavePlan['keeps'];
    if (snapshot !== undefined) {
      const kept = Math.min(last, snapshot.metadata.index);
      keeps = { index: kept, term: mem.term(kept) };
      if (snapshot.metadata.index <= snap.index)
        throw new SnapshotOutOfDateError(snapshot.metadata.index, snap.index);
      snap = snapshot.metadata;
      ops.push(this.put(SNAPSHOT_KEY, encodeSnapshot(snapshot)));
      ops.push(this.put(LOG_START_KEY, encodeLogStart({ index: snap.index, term: snap.term })));
      for (let i = offset + 1; i <= last; i++) ops.push(del(entryKey(i)));
      offset = snap.index;
      offsetTerm = snap.term;
      last = snap.index;
      lastTerm = snap.term;
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
      if (first.index <= last && keeps === undefined) keeps = { index: first.index - 1, term: prevTerm };
      for (const e of fresh) {
        invariant(
          e.term >= prevTerm,
          () => `entry ${e.index} has term ${e.term}, lower than ${prevTerm} before it`,
        );
        prevTerm = e.term;
        ops.push(this.put(entryKey(e.index), encodeEntry(e)));
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
      lastTerm = prevTerm;
    }
    if (hardState !== undefined) ops.push(this.put(HARD_STATE_KEY, encodeHardState(hardState)));
    const hs = hardState ?? mem.initialState().hardState;
    invariant(hs.commit <= last, () => `commit ${hs.commit} would be beyond the last index ${last}`);
    const after: DurableMark = {
      kind: 'state',
      index: last,
      term: lastTerm,
      hardState: hs,
      snapshotIndex: snap.index,
    };
    return keeps === undefined ? { ops, after } : { ops, after, keeps };
  }

  /**
   * Makes `ops` durable and records `mark`: the batch is first written without a sync (LevelDB
   * hands it to the OS, so from then on it survives a crash of this process), then LevelDB's
   * log is synced and the watermark written at the same time: one flush's latency, not two.
   * A machine crash can thus leave the watermark ahead of the log by this one write, which
   * LevelStorage.open tells apart by the boot ID.
   */
  private async persist(ops: Op[], mark: DurableMark): Promise<void> {
    await this.write(ops, false);
    const [synced, witnessed] = await Promise.allSettled([
      this.write([putHeader()], true),
      this.witness(mark),
    ]);
    if (synced.status === 'rejected') throw synced.reason;
    if (witnessed.status === 'rejected') throw witnessed.reason;
  }

  /** One LevelDB batch; a failure stops the storage for good (LevelDB keeps the error anyway). */
  private async write(ops: Op[], sync: boolean): Promise<void> {
    try {
      await this.db.batch(ops, { sync });
    } catch (e: unknown) {
      this.failed = new StorageFailedError(this.path, e);
      throw this.failed;
    }
  }

  /** Records `mark` in the watermark; a failure stops the storage like a failed batch. */
  private async witness(mark: DurableMark): Promise<void> {
    try {
      await this.watermark.write(mark);
    } catch (e: unknown) {
      this.failed = new StorageFailedError(this.watermark.path, e);
      throw this.failed;
    }
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

  /** Runs changes one at a time; only closing is still allowed after a failure or divergence. */
  private serial<T>(fn: () => Promise<T>, closing = false): Promise<T> {
    const run = this.tail.then(() => {
      if (this.closed) throw new RaftError('STORAGE_CLOSED', `raft storage at ${this.path} is closed`);
      if (closing) return fn();
      if (this.failed !== undefined) throw this.failed;
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

/** The store's key from `keyFile`, if it exists; a file that cannot be used refuses the store. */
async function readKey(
  dir: string,
  keyFile: string,
  unlockKey: Uint8Array | undefined,
): Promise<Uint8Array | undefined> {
  try {
    return await readDekFile(keyFile, unlockKey);
  } catch (e: unknown) {
    if (e instanceof DekFileError) throw new StorageKeyError(dir, keyFile, `its key file ${e.detail}`);
    throw e;
  }
}

/** A new key, stored durably in `keyFile` (wrapped with `unlockKey` if given). */
async function createKey(keyFile: string, unlockKey: Uint8Array | undefined): Promise<Uint8Array> {
  const dek = RecordCipher.generateKey();
  await writeDekFile(keyFile, dek, unlockKey);
  return dek;
}

/** The newest LevelDB write-ahead log file in `dir` and its size, if any (before LevelDB opens). */
async function newestLevelLog(dir: string): Promise<string | undefined> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch {
    return undefined;
  }
  const logs = names.filter((n) => /^\d+\.log$/.test(n)).sort((a, b) => parseInt(b, 10) - parseInt(a, 10));
  const newest = logs[0];
  if (newest === undefined) return undefined;
  const path = join(dir, newest);
  const size = await stat(path).then(
    (s) => s.size,
    () => undefined,
  );
  return size === undefined ? path : `${path} (${size} bytes before this start)`;
}

/**
 * Checks the loaded log against its durable watermark and opens the watermark for writing:
 * refuses a log that lost what the watermark records, creates the watermark of a new store,
 * and gives one to a store an older version wrote (header version 1), with a notice. Then it
 * seals a plain store (versions 1, 2), once its watermark holds: a crash in between leaves a
 * plain store with a watermark, sealed at the next start.
 */
async function witness(
  db: RaftLevel,
  dir: string,
  log: LoadedLog,
  levelLog: string | undefined,
  bootId: string,
  cipher: RecordCipher,
): Promise<{ watermark: DurableWatermark; notice: string | undefined }> {
  const wmPath = DurableWatermark.pathIn(dir);
  await removeWatermarkLeftover(dir);
  let stored: StoredMark | undefined;
  try {
    stored = await DurableWatermark.read(dir);
  } catch (e: unknown) {
    if (!(e instanceof WatermarkUnreadableError)) throw e;
    throw new StorageCorruptError(
      dir,
      `the durable watermark ${wmPath} is damaged (no valid slot), so whether acknowledged writes are missing cannot be told`,
    );
  }
  const lost = (detail: string): StorageWritesLostError =>
    new StorageWritesLostError(
      dir,
      wmPath,
      `${detail} (recorded in ${wmPath}); LevelDB drops a damaged or torn tail of its log ` +
        `${levelLog ?? '(no .log file was found)'} when it opens (see ${join(dir, 'LOG')})`,
    );
  let notice: string | undefined;
  if (stored === undefined) {
    if (!log.fresh && log.formatVersion !== UNWITNESSED_FORMAT_VERSION) {
      throw lost(`the durable watermark ${wmPath} is missing`);
    }
    if (!log.fresh) {
      notice =
        `raft storage at ${dir} was written by an older shoal without a durable watermark: it is ` +
        `accepted as it is (writes it may already have lost cannot be detected) and gets one now`;
    }
  } else {
    const missing = missingFrom(log, stored.mark);
    if (missing !== undefined) {
      // The last write's log sync and watermark write run together: if the machine stopped
      // (not just this process) during them, the watermark may hold a write whose log sync
      // never completed, so it was never acknowledged. Only that one write may be missing.
      const rebooted = stored.bootId === '' || bootId === '' || stored.bootId !== bootId;
      const before = stored.previous;
      if (!rebooted || before === undefined || missingFrom(log, before) !== undefined) throw lost(missing);
      notice =
        `raft storage at ${dir}: the machine stopped during the last write to the log (${missing}); ` +
        `that write had not reached the disk, so it was never acknowledged, and is dropped`;
    }
  }
  const now = markOf(log);
  const watermark = await DurableWatermark.open(dir, now, bootId);
  try {
    await watermark.write(now);
    if (log.fresh) await db.batch([putHeader()], { sync: true });
    else if (log.formatVersion !== FORMAT_VERSION) {
      await sealPlainStore(db, cipher);
      const sealed = `raft storage at ${dir} was written by an older shoal in plain: it is encrypted now`;
      notice = notice === undefined ? sealed : `${notice}; ${sealed}`;
    }
  } catch (e: unknown) {
    await watermark.close();
    throw e;
  }
  return { watermark, notice };
}

/** What `mark` records that `log` lacks (an empty log lacks everything but an empty mark). */
function missingFrom(log: LoadedLog, mark: DurableMark): string | undefined {
  if (!log.fresh) return missingFromLog(log, mark);
  if (isEmptyMark(mark)) return undefined;
  const hs = mark.hardState;
  return `the log is empty but entries up to ${mark.index} (term ${hs.term}, commit ${hs.commit}) were acknowledged`;
}
