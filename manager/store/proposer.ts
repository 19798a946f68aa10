// The store's only view of consensus. The replication adapter (manager/replication) implements
// `Proposer` over the Raft driver, which drives the store as a `StateMachine`
// (manager/state-machine.ts); the store never imports Raft.
//
// Contract:
// - `propose(command)` resolves once the command is committed AND applied on this manager,
//   with whatever `StateMachine.apply` returned for it. It rejects with NotLeaderError or
//   ProposalDroppedError (api/errors.ts), ProposalTimeoutError or ProposalAbortedError
//   (errors.ts).

export interface Proposer {
  /** Proposes one opaque command; resolves when it is committed AND applied locally (apply result returned), rejects with a typed error (not leader / dropped / timeout). */
  propose(command: Uint8Array, signal?: AbortSignal): Promise<unknown>;
}
