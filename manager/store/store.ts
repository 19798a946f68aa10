// MemoryStore: the replicated object store. State changes only by applying committed commands
// (or restoring a snapshot), in the same order on every manager; writers go through `update`,
// which proposes a transaction and returns once it is applied.

import { pino, type Logger } from 'pino';
import { applyTransaction, checkTransaction } from './apply-txn.js';
import { decodeCommand } from './command.js';
import { resolvePatches } from './patch.js';
import { MalformedCommandError, ProposalAbortedError, StoreError, StoreInvariantError } from './errors.js';
import type { StateMachine } from '../state-machine.js';
import type { Proposer } from './proposer.js';
import { TablesReadTx, type ReadTx } from './read-tx.js';
import { decodeSnapshot, diffTables, encodeSnapshot, encodeSnapshotV1, hashTables } from './snapshot.js';
import { captureTables, encodeCaptured } from './snapshot-capture.js';
import { Tables } from './tables.js';
import type { ChangeEvent } from './events.js';
import { DEFAULT_WATCH_BUFFER, WatchQueue, type WatchOptions, type Watcher } from './watch.js';
import { WriteTx } from './write-tx.js';

export interface MemoryStoreOptions {
  /** Clock for createdAt/updatedAt stamps (taken by the writer, so replicas agree). */
  readonly clock?: () => Date;
  /** Default per-watcher buffer (events) before a watcher is closed with WatchOverflowError. */
  readonly watchBufferSize?: number;
  /** Where refused commands and skipped snapshot objects are reported (default: silent). */
  readonly logger?: Logger;
}

/** What `apply` returns for a transaction it applied. */
export interface AppliedTransaction {
  readonly index: number;
  /** Number of objects created, updated or deleted. */
  readonly changes: number;
}

/** What `apply` returns: the applied transaction, or the (deterministic) reason it was refused. */
export type ApplyResult = AppliedTransaction | StoreError;

function isThenable(value: unknown): boolean {
  return (
    (typeof value === 'object' || typeof value === 'function') &&
    value !== null &&
    typeof (value as { then?: unknown }).then === 'function'
  );
}

export class MemoryStore implements StateMachine {
  readonly #proposer: Proposer;
  readonly #clock: () => Date;
  readonly #watch: WatchQueue;
  readonly #log: Logger;
  #tables = new Tables();
  #appliedIndex = 0;

  constructor(proposer: Proposer, options: MemoryStoreOptions = {}) {
    this.#proposer = proposer;
    this.#clock = options.clock ?? (() => new Date());
    this.#watch = new WatchQueue(options.watchBufferSize ?? DEFAULT_WATCH_BUFFER);
    this.#log = (options.logger ?? pino({ level: 'silent' })).child({ component: 'store' });
  }

  get appliedIndex(): number {
    return this.#appliedIndex;
  }

  /** Number of open watchers. */
  get watcherCount(): number {
    return this.#watch.size;
  }

  /** Runs `fn` against one consistent state. `fn` must not keep `tx` beyond its return. */
  view<T>(fn: (tx: ReadTx) => T): T {
    const tx = new TablesReadTx(this.#tables);
    try {
      return fn(tx);
    } finally {
      tx.close();
    }
  }

  /**
   * Builds a transaction with the synchronous callback `fn`, proposes it and resolves with
   * `fn`'s result once it is applied. Rejects with the refusal (ConflictError, NotFoundError,
   * NameConflictError, ...) or the proposer's error. A callback that changes nothing proposes
   * nothing.
   *
   * Writers are optimistic: concurrent updates of the same object race, and the loser gets
   * ConflictError; re-read and retry.
   */
  async update<T>(fn: (tx: WriteTx) => T, signal?: AbortSignal): Promise<T> {
    if (signal?.aborted === true) throw new ProposalAbortedError();
    // Formatted once per distinct clock reading: a bulk write stamps thousands of objects.
    let lastMs = NaN;
    let lastIso = '';
    const now = (): string => {
      const date = this.#clock();
      const ms = date.getTime();
      if (ms !== lastMs) {
        lastMs = ms;
        lastIso = date.toISOString();
      }
      return lastIso;
    };
    const tx = new WriteTx(this.#tables, now);
    let result: T;
    try {
      result = fn(tx);
    } finally {
      tx.close();
    }
    if (isThenable(result)) {
      throw new TypeError('update callbacks must be synchronous: nothing was proposed');
    }
    if (tx.empty) return result;
    const refusal = tx.checkNames();
    if (refusal !== undefined) throw refusal;
    const outcome = await this.#proposer.propose(tx.encode(), signal);
    if (outcome instanceof StoreError) throw outcome;
    return result;
  }

  /**
   * Applies one committed command (called by the Raft driver, in log order, on every manager).
   * Total: whatever the bytes, a command is applied whole or refused whole, and the refusal is
   * returned (never thrown), identically on every replica, so the proposer gets it and the log
   * moves on. Work is bounded by the command's size (every walk of an object is depth-bounded).
   * Only a driver bug (indexes out of order) throws.
   */
  apply(index: number, command: Uint8Array): ApplyResult {
    if (!Number.isSafeInteger(index) || index <= this.#appliedIndex) {
      throw new StoreInvariantError(`apply of index ${index} after ${this.#appliedIndex}`);
    }
    this.#appliedIndex = index;
    let events: ChangeEvent[];
    try {
      const decoded = decodeCommand(command);
      if (decoded instanceof StoreError) return this.#refusedMalformed(index, decoded);
      const ops = resolvePatches(this.#tables, decoded);
      if (ops instanceof MalformedCommandError) return this.#refusedMalformed(index, ops);
      if (ops instanceof StoreError) return ops;
      const refusal = checkTransaction(this.#tables, ops);
      if (refusal !== undefined) return refusal;
      events = applyTransaction(this.#tables, ops, index);
    } catch (e: unknown) {
      // Decoding, checking and applying are deterministic, so every replica lands here for
      // this entry alike; applyTransaction has put the tables back as they were.
      const reason = `refused at apply: ${e instanceof Error ? `${e.name}: ${e.message}` : String(e)}`;
      return this.#refusedMalformed(index, new MalformedCommandError(reason));
    }
    this.#watch.publish(events, index);
    return { index, changes: events.length };
  }

  #refusedMalformed(index: number, error: MalformedCommandError): MalformedCommandError {
    this.#log.warn({ index, reason: error.reason }, 'committed store command refused: it changed nothing');
    return error;
  }

  /**
   * The whole store as of `appliedIndex`, in snapshot format 2; format 1 (what managers before
   * it read) for tests and tools that need it.
   */
  snapshot(format: 1 | 2 = 2): Uint8Array {
    return format === 1
      ? encodeSnapshotV1(this.#tables, this.#appliedIndex)
      : encodeSnapshot(this.#tables, this.#appliedIndex);
  }

  /**
   * Captures the store as of `appliedIndex` (cheap: stored objects are frozen, so this copies
   * references) and returns a function that encodes it in slices, yielding to the event loop
   * between them (snapshot-capture.ts): the bytes snapshot() returns now, or a rejection once
   * its signal aborts.
   */
  captureSnapshot(): (signal: AbortSignal) => Promise<Uint8Array> {
    const captured = captureTables(this.#tables, this.#appliedIndex);
    return (signal) => encodeCaptured(captured, signal);
  }

  /**
   * Replaces the whole state with a snapshot the Raft driver installs at `index`. Watchers get
   * the difference as change events plus a commit event. Throws MalformedSnapshotError (and
   * keeps the current state) if the data itself is bad (not a snapshot, a torn or garbled line);
   * a well-formed line holding an object this version refuses is skipped and logged, as
   * applying the command that wrote it would have refused it (see snapshot.ts).
   */
  restore(index: number, data: Uint8Array): void {
    if (!Number.isSafeInteger(index) || index < this.#appliedIndex) {
      throw new StoreInvariantError(`restore of index ${index} after ${this.#appliedIndex}`);
    }
    const decoded = decodeSnapshot(data);
    if (decoded.index > index) {
      throw new StoreInvariantError(`snapshot data at index ${decoded.index} installed as index ${index}`);
    }
    for (const skip of decoded.skipped) {
      this.#log.error(
        { index, line: skip.line, table: skip.table, id: skip.id, reason: skip.reason },
        'snapshot object refused: restored without it',
      );
    }
    const events = diffTables(this.#tables, decoded.tables);
    this.#tables = decoded.tables;
    this.#appliedIndex = index;
    this.#watch.publish(events, index);
  }

  /** sha256 (hex) of every object, canonically serialized, sorted by table and ID. */
  hash(): string {
    return hashTables(this.#tables);
  }

  /** Subscribes to changes applied from now on. */
  watch(options?: WatchOptions): Watcher {
    return this.#watch.subscribe(options);
  }

  /** Reads the state and subscribes in one step: the watcher gets exactly the changes after the read. */
  viewAndWatch<T>(fn: (tx: ReadTx) => T, options?: WatchOptions): [T, Watcher] {
    const watcher = this.#watch.subscribe(options);
    try {
      return [this.view(fn), watcher];
    } catch (e: unknown) {
      watcher.close();
      throw e;
    }
  }
}
