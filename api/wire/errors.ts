// Errors of the dispatcher, each with a stable `code` and the gRPC status it travels as.
// Agents switch on the gRPC status: INVALID_ARGUMENT (a bug or a hostile peer: do not retry
// the same bytes), NOT_FOUND (the session is gone: open a new one), UNAVAILABLE (try again,
// on the leader named in the trailer if any), PERMISSION_DENIED / UNAUTHENTICATED (stop).
// The refusals whose meaning is shared by every room (not the leader, node removed, no node
// identity) are api/errors.ts's; the dispatcher throws those and answers them the same way.

import * as grpc from '@grpc/grpc-js';
import { ClusterError, NotLeaderError } from '../errors.js';
import { LEADER_ADDR_KEY } from './service.js';

/**
 * The trailer that carries a refusal's stable `code` (e.g. NODE_REMOVED), so that a peer tells
 * refusals with the same gRPC status apart without reading their message.
 */
export const ERROR_CODE_KEY = 'shoal-error-code';

export type DispatcherErrorCode =
  | 'MALFORMED_MESSAGE'
  | 'NODE_REFUSED'
  | 'SESSION_INVALID'
  | 'DISPATCHER_STOPPED'
  | 'AGENT_TOO_SLOW'
  | 'SESSION_EXPIRED'
  | 'SESSION_INTERNAL'
  | 'ATTACHMENT_REFUSED';

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

/**
 * A network attachment the managers refused (unknown or unattachable network, a bad address, too
 * many on the node): its status says which (NOT_FOUND, PERMISSION_DENIED, INVALID_ARGUMENT,
 * FAILED_PRECONDITION) and its message is Docker's. It concerns that one call, never the session.
 */
export class AttachmentRefusedError extends DispatcherError {
  constructor(grpcStatus: grpc.status, message: string) {
    super('ATTACHMENT_REFUSED', grpcStatus, message);
    this.name = 'AttachmentRefusedError';
  }
}

/**
 * The cluster's authorizer refused the node (another cluster's certificate, or a node the leader
 * does not know): like a removal, it travels as PERMISSION_DENIED and the agent stops for good.
 */
export class NodeRefusedError extends DispatcherError {
  constructor(reason: string) {
    super('NODE_REFUSED', grpc.status.PERMISSION_DENIED, reason);
    this.name = 'NodeRefusedError';
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

/** What the dispatcher refuses a call or closes a session with. */
export type DispatcherRefusal = DispatcherError | ClusterError;

/**
 * What a handler answers with: a DispatcherError or a ClusterError as its own status, its code in
 * the ERROR_CODE_KEY trailer (and the leader's address in LEADER_ADDR_KEY for NotLeaderError),
 * anything else as INTERNAL.
 */
export function toServiceError(e: unknown): Partial<grpc.StatusObject> {
  if (e instanceof DispatcherError || e instanceof ClusterError) {
    const metadata = new grpc.Metadata();
    metadata.set(ERROR_CODE_KEY, e.code);
    if (e instanceof NotLeaderError && e.leaderAddress !== undefined)
      metadata.set(LEADER_ADDR_KEY, e.leaderAddress);
    return { code: e.grpcStatus, details: e.message, metadata };
  }
  return { code: grpc.status.INTERNAL, details: e instanceof Error ? e.message : String(e) };
}
