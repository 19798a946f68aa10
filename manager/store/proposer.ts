// The store's only view of consensus. The Raft driver (manager/raft) implements `Proposer`
// and drives a `StateMachine`; the store never imports Raft internals.
//
// Contract:
// - `propose(command)` resolves once the command is committed AND applied on this manager,
//   with whatever `StateMachine.apply` returned for it. It rejects with NotLeaderError,
//   ProposalDroppedError, ProposalTimeoutError or ProposalAbortedError (see errors.ts).
// - The driver calls `apply(index, command)` for every committed normal entry, in log order,
//   on every manager, with strictly increasing indexes (gaps are fine: entries that are not
//   store commands, such as membership changes, are not passed on).
// - `snapshot()` when it compacts the log; `restore(index, data)` when it installs a snapshot.

export interface Proposer {
  /** Proposes one opaque command; resolves when it is committed AND applied locally (apply result returned), rejects with a typed error (not leader / dropped / timeout). */
  propose(command: Uint8Array, signal?: AbortSignal): Promise<unknown>;
}

/** What the Raft driver drives: the store implements it. */
export interface StateMachine {
  /** Applies one committed command; never throws for bad input (returns the refusal instead). */
  apply(index: number, command: Uint8Array): unknown;
  /** Serializes the whole state as of `appliedIndex`. */
  snapshot(): Uint8Array;
  /** Replaces the whole state with a snapshot taken at `index`. */
  restore(index: number, data: Uint8Array): void;
  /** Index of the last command applied (or of the snapshot restored). */
  readonly appliedIndex: number;
}
