// The errors whose meaning is the same on every side of the cluster: a manager that is not the
// leader, a proposal dropped before commit, a node that is no longer a member, a caller with no
// node identity. Each has one class here; every room throws and recognises these, and each
// transport carries one as its `grpcStatus` with the message unchanged. Errors that mean
// something only inside one room stay in that room's errors file.

import { status } from '@grpc/grpc-js';

export type ClusterErrorCode = 'NOT_LEADER' | 'PROPOSAL_DROPPED' | 'NODE_REMOVED' | 'UNAUTHENTICATED';

/** An error with a stable code and the gRPC status it travels as. */
export class ClusterError extends Error {
  readonly code: ClusterErrorCode;
  readonly grpcStatus: status;
  constructor(code: ClusterErrorCode, grpcStatus: status, message: string) {
    super(message);
    this.name = 'ClusterError';
    this.code = code;
    this.grpcStatus = grpcStatus;
  }
}

/** This manager is not the leader; `leaderAddress` is where to go instead, when one is known. */
export class NotLeaderError extends ClusterError {
  readonly leaderAddress: string | undefined;
  /** The leader's Raft member ID (0: none known), where the refusal came from Raft. */
  readonly leaderId: number;
  constructor(leaderAddress?: string, leaderId = 0) {
    super(
      'NOT_LEADER',
      status.UNAVAILABLE,
      leaderAddress === undefined && leaderId === 0
        ? 'this manager is not the leader and no leader is known yet (an election may be in progress): retry shortly'
        : `this manager is not the leader: the leader is ${leaderId !== 0 ? `member ${leaderId}` : ''}${
            leaderAddress !== undefined ? `${leaderId !== 0 ? ' ' : ''}at ${leaderAddress}` : ''
          }`,
    );
    this.name = 'NotLeaderError';
    this.leaderAddress = leaderAddress;
    this.leaderId = leaderId;
  }
}

/** A proposal was dropped before it committed: it did not take effect, and may be retried. */
export class ProposalDroppedError extends ClusterError {
  readonly reason: string;
  constructor(reason: string) {
    super('PROPOSAL_DROPPED', status.UNAVAILABLE, `proposal dropped: ${reason}`);
    this.name = 'ProposalDroppedError';
    this.reason = reason;
  }
}

/** The node is not (or no longer) a member of the swarm: its certificate is not honoured. */
export class NodeRemovedError extends ClusterError {
  readonly nodeId: string;
  constructor(nodeId: string) {
    super(
      'NODE_REMOVED',
      status.PERMISSION_DENIED,
      `node ${nodeId} was removed from the swarm (or never joined it): ` +
        'run `shoal swarm leave` on it, then join again with a token',
    );
    this.name = 'NodeRemovedError';
    this.nodeId = nodeId;
  }
}

/** The caller presented no node identity the swarm's root CA vouches for. */
export class UnauthenticatedError extends ClusterError {
  constructor(what = 'this call') {
    super(
      'UNAUTHENTICATED',
      status.UNAUTHENTICATED,
      `${what} needs a node certificate signed by the swarm's root CA: join the swarm first`,
    );
    this.name = 'UnauthenticatedError';
  }
}
