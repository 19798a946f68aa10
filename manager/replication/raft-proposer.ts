// The store's Proposer, implemented with a RaftNode: a transaction is one Raft entry, and the
// Raft driver's errors become the store's typed proposal errors.

import { ProposalDroppedError as RaftProposalDropped } from '../raft/errors.js';
import {
  NodeStoppedError,
  NotLeaderError as RaftNotLeader,
  RaftTimeoutError,
  TooManyRequestsError,
} from '../raft/driver/errors.js';
import type { RaftNode } from '../raft/driver/raft-node.js';
import {
  NotLeaderError,
  ProposalAbortedError,
  ProposalDroppedError,
  ProposalTimeoutError,
  type Proposer,
} from '../store/index.js';

export class RaftProposer implements Proposer {
  private node: RaftNode | undefined;

  /** Binds the node (created after the store, which it drives as its state machine). */
  bind(node: RaftNode): void {
    this.node = node;
  }

  async propose(command: Uint8Array, signal?: AbortSignal): Promise<unknown> {
    if (signal?.aborted) throw new ProposalAbortedError();
    const node = this.node;
    if (!node) throw new NotLeaderError();
    try {
      return await node.propose(command);
    } catch (e: unknown) {
      throw translate(e);
    }
  }
}

function translate(e: unknown): unknown {
  if (e instanceof RaftNotLeader) {
    return new NotLeaderError(e.leader === 0 ? undefined : (e.leaderAddress ?? `member ${e.leader}`));
  }
  if (e instanceof RaftTimeoutError) return new ProposalTimeoutError(e.ms);
  if (
    e instanceof RaftProposalDropped ||
    e instanceof NodeStoppedError ||
    e instanceof TooManyRequestsError
  ) {
    return new ProposalDroppedError(e.message);
  }
  return e;
}
