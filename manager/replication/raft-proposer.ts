// The store's Proposer, implemented with a RaftNode: a transaction is one Raft entry. The
// driver's refusals that mean "not the leader" or "dropped" are already the shared errors
// (api/errors.ts) and pass through; its own timeout and shutdown errors become the store's.

import { NotLeaderError, ProposalDroppedError } from '../../api/errors.js';
import { NodeStoppedError, RaftTimeoutError, TooManyRequestsError } from '../raft/driver/errors.js';
import type { RaftNode } from '../raft/driver/raft-node.js';
import { ProposalAbortedError, ProposalTimeoutError, type Proposer } from '../store/index.js';

/** Times proposals (the proposal latency metric): a timer started per proposal, stopped once applied. */
export interface ProposalTimer {
  startTimer(): () => unknown;
}

export class RaftProposer implements Proposer {
  private node: RaftNode | undefined;

  /** `timer` times each proposal from here until its entry is applied on this leader. */
  constructor(private readonly timer?: ProposalTimer) {}

  /** Binds the node (created after the store, which it drives as its state machine). */
  bind(node: RaftNode): void {
    this.node = node;
  }

  async propose(command: Uint8Array, signal?: AbortSignal): Promise<unknown> {
    if (signal?.aborted) throw new ProposalAbortedError();
    const node = this.node;
    if (!node) throw new NotLeaderError();
    const stop = this.timer?.startTimer();
    try {
      const result = await node.propose(command);
      stop?.();
      return result;
    } catch (e: unknown) {
      throw translate(e);
    }
  }
}

function translate(e: unknown): unknown {
  if (e instanceof RaftTimeoutError) return new ProposalTimeoutError(e.ms);
  if (e instanceof NodeStoppedError || e instanceof TooManyRequestsError) {
    return new ProposalDroppedError(e.message);
  }
  return e;
}
