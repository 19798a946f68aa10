// The core's read-only view of stable storage, and an in-memory implementation of it.
//
// The core reads the log through `Storage` synchronously. Durable backends (LevelDB) persist
// what Ready hands out and keep a MemoryStorage mirror that the core reads; on restart they load
// the mirror from disk. This keeps the core free of I/O, as etcd's raft does.

import { CompactedError, SnapshotOutOfDateError, UnavailableError, invariant } from './errors.js';
import { EMPTY_HARD_STATE, type ConfState, type Entry, type HardState, type Snapshot } from './types.js';

export interface InitialState {
  readonly hardState: HardState;
  readonly confState: ConfState;
}

export interface Storage {
  initialState(): InitialState;
  /** Entries in [lo, hi), at most `maxSize` bytes of data (always at least one entry if any). */
  entries(lo: number, hi: number, maxSize: number): Entry[];
  /** Term of the entry at `index`; index may be firstIndex-1 (the snapshot's term). */
  term(index: number): number;
  lastIndex(): number;
  firstIndex(): number;
  snapshot(): Snapshot;
}

/** Total data size of entries, as used for message size limits. */
export function entrySize(e: Entry): number {
  return e.data.byteLength + 16;
}

/** Returns the longest prefix of `ents` whose total size is within maxSize (at least one entry). */
export function limitSize(ents: Entry[], maxSize: number): Entry[] {
  if (ents.length === 0) return ents;
  let size = entrySize(ents[0]!);
  let limit = 1;
  for (; limit < ents.length; limit++) {
    size += entrySize(ents[limit]!);
    if (size > maxSize) break;
  }
  return limit === ents.length ? ents : ents.slice(0, limit);
}

const EMPTY_CONF: ConfState = { voters: [], learners: [] };

export class MemoryStorage implements Storage {
  private hardState: HardState = EMPTY_HARD_STATE;
  private snap: Snapshot = {
    metadata: { index: 0, term: 0, confState: EMPTY_CONF },
    data: new Uint8Array(0),
  };
  /** ents[0] is a dummy entry carrying the snapshot's index and term. */
  private ents: Entry[] = [{ index: 0, term: 0, type: 0, data: new Uint8Array(0) }];

  initialState(): InitialState {
    return { hardState: this.hardState, confState: this.snap.metadata.confState };
  }

  setHardState(hs: HardState): void {
    this.hardState = hs;
  }

  private offset(): number {
    return this.ents[0]!.index;
  }

  entries(lo: number, hi: number, maxSize: number): Entry[] {
    const offset = this.offset();
    if (lo <= offset) throw new CompactedError(lo, offset + 1);
    if (hi > this.lastIndex() + 1) throw new UnavailableError(hi - 1, this.lastIndex());
    if (this.ents.length === 1) return [];
    return limitSize(this.ents.slice(lo - offset, hi - offset), maxSize);
  }

  term(index: number): number {
    const offset = this.offset();
    if (index < offset) throw new CompactedError(index, offset + 1);
    if (index - offset >= this.ents.length) throw new UnavailableError(index, this.lastIndex());
    return this.ents[index - offset]!.term;
  }

  lastIndex(): number {
    return this.offset() + this.ents.length - 1;
  }

  firstIndex(): number {
    return this.offset() + 1;
  }

  snapshot(): Snapshot {
    return this.snap;
  }

  /** Replaces the whole content with the snapshot (a follower installing it). */
  applySnapshot(snap: Snapshot): void {
    if (this.snap.metadata.index >= snap.metadata.index) {
      throw new SnapshotOutOfDateError(snap.metadata.index, this.snap.metadata.index);
    }
    this.snap = snap;
    this.ents = [{ index: snap.metadata.index, term: snap.metadata.term, type: 0, data: new Uint8Array(0) }];
  }

  /** Records a snapshot the application made at `index` (<= applied); does not compact. */
  createSnapshot(index: number, confState: ConfState, data: Uint8Array): Snapshot {
    if (index <= this.snap.metadata.index) {
      throw new SnapshotOutOfDateError(index, this.snap.metadata.index);
    }
    invariant(
      index <= this.lastIndex(),
      () => `snapshot ${index} is out of bound lastindex(${this.lastIndex()})`,
    );
    const offset = this.offset();
    if (index < offset) throw new CompactedError(index, offset + 1);
    this.snap = {
      metadata: { index, term: this.ents[index - offset]!.term, confState },
      data,
    };
    return this.snap;
  }

  /** Discards entries up to and including `compactIndex`. */
  compact(compactIndex: number): void {
    const offset = this.offset();
    if (compactIndex <= offset) throw new CompactedError(compactIndex, offset + 1);
    invariant(
      compactIndex <= this.lastIndex(),
      () => `compact ${compactIndex} is out of bound lastindex(${this.lastIndex()})`,
    );
    const i = compactIndex - offset;
    const head = this.ents[i]!;
    this.ents = [
      { index: head.index, term: head.term, type: 0, data: new Uint8Array(0) },
      ...this.ents.slice(i + 1),
    ];
  }

  /** Appends entries, truncating any conflicting suffix. Entries must be contiguous. */
  append(entries: readonly Entry[]): void {
    if (entries.length === 0) return;
    const first = this.firstIndex();
    const last = entries[entries.length - 1]!.index;
    if (last < first) return; // all already compacted
    let ents = entries as Entry[];
    if (first > ents[0]!.index) ents = ents.slice(first - ents[0]!.index);
    const offset = ents[0]!.index - this.offset();
    if (offset < this.ents.length) {
      this.ents = [...this.ents.slice(0, offset), ...ents];
    } else if (offset === this.ents.length) {
      for (const e of ents) this.ents.push(e);
    } else {
      invariant(false, () => `missing log entry [last: ${this.lastIndex()}, append at: ${ents[0]!.index}]`);
    }
  }
}
