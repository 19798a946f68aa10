// The one contract between the replicated log and what it replicates. The Raft driver
// (manager/raft/driver) drives a StateMachine; the store (manager/store) implements it. This file
// sits beside both so that neither imports the other: Raft knows nothing of the store, and the
// store nothing of Raft.
//
// The driver calls `apply(index, command)` for every committed normal entry, in log order, on
// every member, with strictly increasing indexes (gaps are fine: entries that are not commands,
// such as membership changes, are not passed on); `snapshot()` (or `captureSnapshot()`) when it
// compacts the log; `restore(index, data)` when it installs a snapshot.

export interface StateMachine {
  /**
   * Applies one committed command. Must be deterministic: every member applies the same log.
   * Never throws for bad input: the refusal is returned instead, and a returned Error rejects
   * the proposer's call (any other result resolves it).
   */
  apply(index: number, command: Uint8Array): unknown;
  /** Serializes the whole state as of `appliedIndex`. */
  snapshot(): Uint8Array;
  /**
   * Optional, for a state large enough that serializing it would hold the event loop for long
   * (a leader that does sends no heartbeats): captures the state as of `appliedIndex` now, at
   * little cost, and returns a function that serializes it in slices, yielding to the event
   * loop. That resolves with the bytes `snapshot()` would have returned at the capture, or
   * rejects with the signal's reason once `signal` aborts. Without it, the driver calls
   * `snapshot()`.
   */
  captureSnapshot?(): (signal: AbortSignal) => Promise<Uint8Array>;
  /** Replaces the whole state with a snapshot taken at `index`. */
  restore(index: number, data: Uint8Array): void;
  /** Index of the last command applied (or of the snapshot restored). */
  readonly appliedIndex: number;
}
