// Typed errors of the Raft library. Each has a stable `code` callers can switch on. A dropped
// proposal is not an error here: the core returns it as a value (step-result.ts).

export class RaftError extends Error {
  readonly code: string;
  constructor(code: string, message: string) {
    super(message);
    this.name = 'RaftError';
    this.code = code;
  }
}

/** The requested index is older than the log's first index (it was compacted into a snapshot). */
export class CompactedError extends RaftError {
  constructor(index: number, firstIndex: number) {
    super('COMPACTED', `log index ${index} was compacted (first available index is ${firstIndex})`);
    this.name = 'CompactedError';
  }
}

/** The requested index is past the last index the storage holds. */
export class UnavailableError extends RaftError {
  constructor(index: number, lastIndex: number) {
    super('UNAVAILABLE', `log index ${index} is not available (last index is ${lastIndex})`);
    this.name = 'UnavailableError';
  }
}

/** A snapshot older than the one already held was offered. */
export class SnapshotOutOfDateError extends RaftError {
  constructor(index: number, current: number) {
    super('SNAPSHOT_OUT_OF_DATE', `snapshot at index ${index} is older than the current one at ${current}`);
    this.name = 'SnapshotOutOfDateError';
  }
}

/** The snapshot is being prepared by the application; retry later. */
export class SnapshotTemporarilyUnavailableError extends RaftError {
  constructor() {
    super('SNAPSHOT_TEMPORARILY_UNAVAILABLE', 'snapshot is temporarily unavailable');
    this.name = 'SnapshotTemporarilyUnavailableError';
  }
}

/** An invariant of the protocol was broken: continuing would risk safety, so the node stops. */
export class RaftInvariantError extends RaftError {
  constructor(message: string) {
    super('INVARIANT', `raft invariant broken: ${message}`);
    this.name = 'RaftInvariantError';
  }
}

export function invariant(cond: boolean, message: () => string): asserts cond {
  if (!cond) throw new RaftInvariantError(message());
}
