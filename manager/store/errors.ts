// Typed errors of the replicated store. Each has a stable `code` callers switch on and
// readonly fields describing what went wrong. Transaction refusals (conflict, not found,
// name conflict, malformed command) are deterministic: every replica refuses the same
// transaction with the same error, and the proposing caller receives it from `update()`.

import { KIND_OF, type TableName } from '../../api/objects/index.js';

export type StoreErrorCode =
  | 'CONFLICT'
  | 'NOT_FOUND'
  | 'EXISTS'
  | 'NAME_CONFLICT'
  | 'INVALID_OBJECT'
  | 'MALFORMED_COMMAND'
  | 'MALFORMED_SNAPSHOT'
  | 'TX_CLOSED'
  | 'WATCH_OVERFLOW'
  | 'PROPOSAL_TIMEOUT'
  | 'PROPOSAL_ABORTED'
  | 'INVARIANT';

export class StoreError extends Error {
  readonly code: StoreErrorCode;
  constructor(code: StoreErrorCode, message: string) {
    super(message);
    this.name = 'StoreError';
    this.code = code;
  }
}

/** An update or delete named a version that is not the object's current one (HTTP 409). */
export class ConflictError extends StoreError {
  readonly table: TableName;
  readonly id: string;
  /** The version the writer read. */
  readonly expectedVersion: number;
  /** The version the object has now. */
  readonly currentVersion: number;
  constructor(table: TableName, id: string, expectedVersion: number, currentVersion: number) {
    super(
      'CONFLICT',
      `update out of sequence: ${KIND_OF[table]} ${id} is at version ${currentVersion}, not ${expectedVersion}`,
    );
    this.name = 'ConflictError';
    this.table = table;
    this.id = id;
    this.expectedVersion = expectedVersion;
    this.currentVersion = currentVersion;
  }
}

/** An update or delete named an object that does not exist (HTTP 404). */
export class NotFoundError extends StoreError {
  readonly table: TableName;
  readonly id: string;
  constructor(table: TableName, id: string) {
    super('NOT_FOUND', `${KIND_OF[table]} ${id} not found`);
    this.name = 'NotFoundError';
    this.table = table;
    this.id = id;
  }
}

/** A create named an ID that is already taken. */
export class ExistsError extends StoreError {
  readonly table: TableName;
  readonly id: string;
  constructor(table: TableName, id: string) {
    super('EXISTS', `${KIND_OF[table]} ${id} already exists`);
    this.name = 'ExistsError';
    this.table = table;
    this.id = id;
  }
}

/** A create or update would give two objects the same unique key, e.g. a service name (HTTP 409). */
export class NameConflictError extends StoreError {
  readonly table: TableName;
  /** The unique index, e.g. "name". */
  readonly index: string;
  /** The value as the refused object spells it. */
  readonly value: string;
  /** The object that holds the key, or the refused object's ID when two in one transaction collide. */
  readonly existingId: string;
  constructor(table: TableName, index: string, value: string, existingId: string) {
    super('NAME_CONFLICT', `${KIND_OF[table]} with ${index} ${value} already exists`);
    this.name = 'NameConflictError';
    this.table = table;
    this.index = index;
    this.value = value;
    this.existingId = existingId;
  }
}

/** A writer handed the store an object of the wrong shape (caught before anything is proposed). */
export class InvalidObjectError extends StoreError {
  readonly table: TableName;
  readonly reason: string;
  constructor(table: TableName, reason: string) {
    super('INVALID_OBJECT', `invalid ${KIND_OF[table]}: ${reason}`);
    this.name = 'InvalidObjectError';
    this.table = table;
    this.reason = reason;
  }
}

/** A committed command could not be decoded or has the wrong shape; it changed nothing. */
export class MalformedCommandError extends StoreError {
  readonly reason: string;
  constructor(reason: string) {
    super('MALFORMED_COMMAND', `malformed store command: ${reason}`);
    this.name = 'MalformedCommandError';
    this.reason = reason;
  }
}

/** Snapshot bytes could not be decoded; the store was left as it was. */
export class MalformedSnapshotError extends StoreError {
  readonly reason: string;
  constructor(reason: string) {
    super('MALFORMED_SNAPSHOT', `malformed store snapshot: ${reason}`);
    this.name = 'MalformedSnapshotError';
    this.reason = reason;
  }
}

/** A transaction handle was used after its `view`/`update` callback returned. */
export class TxClosedError extends StoreError {
  constructor() {
    super('TX_CLOSED', 'transaction used after its callback returned');
    this.name = 'TxClosedError';
  }
}

/** A watcher fell more than `bufferSize` events behind and was closed; it must re-read and re-watch. */
export class WatchOverflowError extends StoreError {
  readonly bufferSize: number;
  constructor(bufferSize: number) {
    super('WATCH_OVERFLOW', `watcher fell behind by more than ${bufferSize} events and was closed`);
    this.name = 'WatchOverflowError';
    this.bufferSize = bufferSize;
  }
}

// Proposal failures. A Proposer rejects with one of these, or with NotLeaderError or
// ProposalDroppedError (api/errors.ts: the meaning is shared by every room), and
// `MemoryStore.update()` passes them through.

/** The proposal was not applied in time; it may still commit later. */
export class ProposalTimeoutError extends StoreError {
  readonly timeoutMs: number;
  constructor(timeoutMs: number) {
    super('PROPOSAL_TIMEOUT', `proposal not applied within ${timeoutMs} ms`);
    this.name = 'ProposalTimeoutError';
    this.timeoutMs = timeoutMs;
  }
}

/** The caller's AbortSignal fired before the proposal was applied. */
export class ProposalAbortedError extends StoreError {
  constructor() {
    super('PROPOSAL_ABORTED', 'proposal aborted by the caller');
    this.name = 'ProposalAbortedError';
  }
}

/** A broken internal invariant: the store cannot safely continue. */
export class StoreInvariantError extends StoreError {
  constructor(message: string) {
    super('INVARIANT', `store invariant broken: ${message}`);
    this.name = 'StoreInvariantError';
  }
}
