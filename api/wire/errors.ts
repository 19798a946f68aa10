// Errors of the dispatcher, each with a stable `code` and the gRPC status it travels as.
// Agents switch on the gRPC status: INVALID_ARGUMENT (a bug or a hostile peer: do not retry
// the same bytes), NOT_FOUND (the session is gone: open a new one), UNAVAILABLE (try again,
// on the leader named in the trailer if any), PERMISSION_DENIED / UNAUTHENTICATED (stop).

import * as grpc from '@grpc/grpc-js';
import { LEADER_ADDR_KEY } from './service.js';

export type DispatcherErrorCode =
  | 'MALFORMED_MESSAGE'
  | 'UNAUTHENTICATED'
  | 'NODE_REMOVED'
  | 'SESSION_INVALID'
  | 'NOT_LEADER'
  | 'DISPATCHER_STOPPED'
  | 'AGENT_TOO_SLOW'
  | 'SESSION_EXPIRED'
  | 'SESSION_INTERNAL';

export class DispatcherError extends Error {
  readonly code: DispatcherErrorCode;
  readonly grpcStatus: grpc.status;
  constructor(code: DispatcherErrorCode, grpcStatus: grpc.status, message: string) {
    super(message);
    this.name = 'DispatcherError';
    this.code = code;
    this.grpcStatus = grpcStatus;
  }
}

/** A request or an object inside it does not have the expected shape or exceeds a limit. */
export class MalformedMessageError extends DispatcherError {
  readonly reason: string;
  constructor(reason: string) {
    super('MALFORMED_MESSAGE', grpc.status.INVALID_ARGUMENT, `malformed dispatcher message: ${reason}`);
    this.name = 'MalformedMessageError';
    this.reason = reason;
  }
}

/** The caller presented no node identity (no or unknown client certificate). */
export class UnauthenticatedError extends DispatcherError {
  constructor() {
    super(
      'UNAUTHENTICATED',
      grpc.status.UNAUTHENTICATED,
      'no node identity: connect with the node certificate issued when the node joined the swarm',
    );
    this.name = 'UnauthenticatedError';
  }
}

/** The node is not (or no longer) a member of the swarm. */
export class NodeRemovedError extends DispatcherError {
  readonly nodeId: string;
  constructor(nodeId: string) {
    super(
      'NODE_REMOVED',
      grpc.status.PERMISSION_DENIED,
      `node ${nodeId} is not a member of this swarm (it was removed or never joined): join it again with a token`,
    );
    this.name = 'NodeRemovedError';
    this.nodeId = nodeId;
  }
}

/** The session a call names is not the node's current one (expired, replaced or unknown). */
export class SessionInvalidError extends DispatcherError {
  readonly sessionId: string;
  constructor(sessionId: string) {
    super(
      'SESSION_INVALID',
      grpc.status.NOT_FOUND,
      `session ${JSON.stringify(sessionId)} is not valid: start a new session`,
    );
    this.name = 'SessionInvalidError';
    this.sessionId = sessionId;
  }
}

/** This manager is not the leader; `leaderAddr` is where the agent should go, if known. */
export class NotLeaderError extends DispatcherError {
  readonly leaderAddr: string | undefined;
  constructor(leaderAddr: string | undefined) {
    super(
      'NOT_LEADER',
      grpc.status.UNAVAILABLE,
      leaderAddr === undefined
        ? 'this manager is not the leader and no leader is known yet: retry shortly'
        : `this manager is not the leader: connect to the leader at ${leaderAddr}`,
    );
    this.name = 'NotLeaderError';
    this.leaderAddr = leaderAddr;
  }
}

/** The dispatcher stopped (leadership lost or manager shutting down) while the call was open. */
export class DispatcherStoppedError extends DispatcherError {
  constructor() {
    super('DISPATCHER_STOPPED', grpc.status.UNAVAILABLE, 'the dispatcher stopped: reconnect to the leader');
    this.name = 'DispatcherStoppedError';
  }
}

/** The agent did not read its streams; its session was closed so that it resynchronizes. */
export class AgentTooSlowError extends DispatcherError {
  readonly nodeId: string;
  constructor(nodeId: string) {
    super(
      'AGENT_TOO_SLOW',
      grpc.status.UNAVAILABLE,
      `node ${nodeId} did not read its session streams fast enough: reconnect and resynchronize`,
    );
    this.name = 'AgentTooSlowError';
    this.nodeId = nodeId;
  }
}

/** The node missed its heartbeats: it was marked down and its session closed. */
export class SessionExpiredError extends DispatcherError {
  readonly nodeId: string;
  constructor(nodeId: string) {
    super(
      'SESSION_EXPIRED',
      grpc.status.UNAVAILABLE,
      `node ${nodeId} missed its heartbeats and was marked down: open a new session`,
    );
    this.name = 'SessionExpiredError';
    this.nodeId = nodeId;
  }
}

/** Something failed while serving one node's session (a bug): that session is closed, not the others. */
export class SessionInternalError extends DispatcherError {
  readonly nodeId: string;
  constructor(nodeId: string, what: string) {
    super(
      'SESSION_INTERNAL',
      grpc.status.UNAVAILABLE,
      `the dispatcher could not ${what} for node ${nodeId}: reconnect and resynchronize (the manager logged why)`,
    );
    this.name = 'SessionInternalError';
    this.nodeId = nodeId;
  }
}

/** What a handler answers with: a DispatcherError as its status, anything else as INTERNAL. */
export function toServiceError(e: unknown): Partial<grpc.StatusObject> {
  if (e instanceof DispatcherError) {
    const metadata = new grpc.Metadata();
    if (e instanceof NotLeaderError && e.leaderAddr !== undefined)
      metadata.set(LEADER_ADDR_KEY, e.leaderAddr);
    return { code: e.grpcStatus, details: e.message, metadata };
  }
  return { code: grpc.status.INTERNAL, details: e instanceof Error ? e.message : String(e) };
}
