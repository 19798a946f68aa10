// Typed errors of the cluster PKI. Each has a stable `code` callers switch on, the gRPC status a
// server answers it with (`grpcStatus`), and a message that tells the operator what to do.
// A caller with no node identity and a removed node are api/errors.ts's UnauthenticatedError and
// NodeRemovedError: their meaning is the same for every service, so they are not CaErrors.

import { Metadata, status } from '@grpc/grpc-js';
import { ClusterError } from '../api/errors.js';
import { DispatcherError, ERROR_CODE_KEY } from '../api/wire/errors.js';

export type CaErrorCode =
  | 'INVALID_JOIN_TOKEN'
  | 'JOIN_TOKEN_REJECTED'
  | 'CA_DIGEST_MISMATCH'
  | 'INVALID_CERTIFICATE'
  | 'INVALID_CSR'
  | 'INVALID_CERT_EXPIRY'
  | 'INVALID_ROOT_CA'
  | 'UNTRUSTED_CERTIFICATE'
  | 'CERTIFICATE_EXPIRED'
  | 'CERTIFICATE_NOT_YET_VALID'
  | 'PERMISSION_DENIED'
  | 'UNKNOWN_NODE'
  | 'NODE_DEMOTED'
  | 'MANAGER_STARTING'
  | 'CA_CALL_FAILED';

export class CaError extends Error {
  readonly code: CaErrorCode;
  /** The gRPC status a server answers this error with. */
  readonly grpcStatus: status;
  constructor(code: CaErrorCode, grpcStatus: status, message: string) {
    super(message);
    this.name = 'CaError';
    this.code = code;
    this.grpcStatus = grpcStatus;
  }
}

/** A join token that is not of the form SWMTKN-1-<CA digest>-<secret>. */
export class InvalidJoinTokenError extends CaError {
  readonly reason: string;
  constructor(reason: string) {
    super(
      'INVALID_JOIN_TOKEN',
      status.INVALID_ARGUMENT,
      `invalid join token: ${reason}; copy the token printed by \`shoal swarm join-token worker\` (or manager) on a manager`,
    );
    this.name = 'InvalidJoinTokenError';
    this.reason = reason;
  }
}

/** A well-formed join token that is neither the current worker nor the current manager token. */
export class JoinTokenRejectedError extends CaError {
  constructor() {
    super(
      'JOIN_TOKEN_REJECTED',
      status.PERMISSION_DENIED,
      'a valid join token is necessary to join this swarm: the token is unknown or was rotated; ' +
        'ask a manager for the current one with `shoal swarm join-token worker` (or manager)',
    );
    this.name = 'JoinTokenRejectedError';
  }
}

/** The root CA a manager presented does not have the digest pinned by the join token. */
export class CaDigestMismatchError extends CaError {
  /** "sha256:<hex>" from the token. */
  readonly expected: string;
  /** "sha256:<hex>" of the certificate the manager sent. */
  readonly actual: string;
  constructor(expected: string, actual: string) {
    super(
      'CA_DIGEST_MISMATCH',
      status.FAILED_PRECONDITION,
      `the manager's root CA (${actual}) does not match the join token (${expected}): ` +
        'check that the token belongs to the swarm at this address; refusing to trust it',
    );
    this.name = 'CaDigestMismatchError';
    this.expected = expected;
    this.actual = actual;
  }
}

/** A certificate that cannot be parsed or lacks what a swarm node certificate carries. */
export class InvalidCertificateError extends CaError {
  readonly reason: string;
  constructor(reason: string) {
    super('INVALID_CERTIFICATE', status.INVALID_ARGUMENT, `invalid node certificate: ${reason}`);
    this.name = 'InvalidCertificateError';
    this.reason = reason;
  }
}

/** A certificate signing request that cannot be parsed, is badly signed or uses another key type. */
export class InvalidCsrError extends CaError {
  readonly reason: string;
  constructor(reason: string) {
    super('INVALID_CSR', status.INVALID_ARGUMENT, `invalid certificate signing request: ${reason}`);
    this.name = 'InvalidCsrError';
    this.reason = reason;
  }
}

/** A node certificate expiry below Swarm's minimum of one hour. */
export class InvalidCertExpiryError extends CaError {
  readonly expiryMs: number;
  constructor(expiryMs: number) {
    super(
      'INVALID_CERT_EXPIRY',
      status.INVALID_ARGUMENT,
      `node certificate expiry must be at least 1h, got ${expiryMs} ms: raise --cert-expiry`,
    );
    this.name = 'InvalidCertExpiryError';
    this.expiryMs = expiryMs;
  }
}

/** Root CA material that is not a self-signed CA certificate (with its matching key). */
export class InvalidRootCaError extends CaError {
  readonly reason: string;
  constructor(reason: string) {
    super('INVALID_ROOT_CA', status.FAILED_PRECONDITION, `invalid root CA: ${reason}`);
    this.name = 'InvalidRootCaError';
    this.reason = reason;
  }
}

/** A certificate that was not issued by this swarm's root CA. */
export class UntrustedCertificateError extends CaError {
  readonly subject: string;
  constructor(subject: string, reason: string) {
    super(
      'UNTRUSTED_CERTIFICATE',
      status.UNAUTHENTICATED,
      `certificate "${subject}" is not trusted: ${reason}; the node belongs to another swarm or must rejoin`,
    );
    this.name = 'UntrustedCertificateError';
    this.subject = subject;
  }
}

export class CertificateExpiredError extends CaError {
  readonly subject: string;
  readonly notAfter: Date;
  constructor(subject: string, notAfter: Date) {
    super(
      'CERTIFICATE_EXPIRED',
      status.UNAUTHENTICATED,
      `certificate "${subject}" expired at ${notAfter.toISOString()}; the node must leave and rejoin the swarm`,
    );
    this.name = 'CertificateExpiredError';
    this.subject = subject;
    this.notAfter = notAfter;
  }
}

export class CertificateNotYetValidError extends CaError {
  readonly subject: string;
  readonly notBefore: Date;
  constructor(subject: string, notBefore: Date) {
    super(
      'CERTIFICATE_NOT_YET_VALID',
      status.UNAUTHENTICATED,
      `certificate "${subject}" is not valid before ${notBefore.toISOString()}; check the clocks of the nodes`,
    );
    this.name = 'CertificateNotYetValidError';
    this.subject = subject;
    this.notBefore = notBefore;
  }
}

/** The caller's certificate is valid, but its role may not make this call. */
export class PermissionDeniedError extends CaError {
  readonly nodeId: string;
  readonly role: string;
  readonly required: readonly string[];
  constructor(nodeId: string, role: string, required: readonly string[]) {
    super(
      'PERMISSION_DENIED',
      status.PERMISSION_DENIED,
      `permission denied: node ${nodeId} is a ${role}, and this call is for ${required.join(' or ')} nodes only`,
    );
    this.name = 'PermissionDeniedError';
    this.nodeId = nodeId;
    this.role = role;
    this.required = required;
  }
}

/**
 * The caller's certificate names a node the cluster does not know (it never finished joining, or
 * its record is gone): the certificate alone grants nothing.
 */
export class UnknownNodeError extends CaError {
  readonly nodeId: string;
  constructor(nodeId: string) {
    super(
      'UNKNOWN_NODE',
      status.PERMISSION_DENIED,
      `node ${nodeId} is not a member of this swarm: its certificate is not honoured; ` +
        'run `shoal swarm leave` on it, then join again with a token',
    );
    this.name = 'UnknownNodeError';
    this.nodeId = nodeId;
  }
}

/** A manager certificate of a node the cluster now has as a worker (it was demoted). */
export class NodeDemotedError extends CaError {
  readonly nodeId: string;
  constructor(nodeId: string) {
    super(
      'NODE_DEMOTED',
      status.PERMISSION_DENIED,
      `permission denied: node ${nodeId} was demoted to worker, so its manager certificate no longer ` +
        'allows manager calls; it renews its certificate as a worker, or `shoal node promote` it again',
    );
    this.name = 'NodeDemotedError';
    this.nodeId = nodeId;
  }
}

/** A call reached a manager that has not opened its store yet, so it cannot check the caller. */
export class ManagerStartingError extends CaError {
  constructor(method: string) {
    super(
      'MANAGER_STARTING',
      status.UNAVAILABLE,
      `${method}: this manager is starting and cannot check its callers yet; retry shortly`,
    );
    this.name = 'ManagerStartingError';
  }
}

/**
 * A call to a manager's CA failed; `grpcStatus` and the manager's message say why, and
 * `remoteCode` which refusal it was (the code the manager put in its ERROR_CODE_KEY trailer).
 */
export class CaCallError extends CaError {
  readonly target: string;
  readonly method: string;
  /** The refusal's code as the manager sent it (e.g. NODE_REMOVED); undefined if it sent none. */
  readonly remoteCode: string | undefined;
  constructor(target: string, method: string, grpcStatus: status, details: string, remoteCode?: string) {
    super('CA_CALL_FAILED', grpcStatus, `${method} at ${target} failed: ${details}`);
    this.name = 'CaCallError';
    this.target = target;
    this.method = method;
    this.remoteCode = remoteCode;
  }
}

/**
 * The gRPC status a typed error of the project travels as (a CaError, a ClusterError or a
 * DispatcherError: each carries its own); undefined for anything else.
 */
export function grpcStatusOf(e: unknown): status | undefined {
  return e instanceof CaError || e instanceof ClusterError || e instanceof DispatcherError
    ? e.grpcStatus
    : undefined;
}

/**
 * What a CA server answers an error with: a typed error's own status and message, its code in
 * the ERROR_CODE_KEY trailer; INTERNAL for anything else.
 */
export function toGrpcStatus(e: unknown): { code: status; details: string; metadata?: Metadata } {
  if (e instanceof CaError || e instanceof ClusterError || e instanceof DispatcherError) {
    const metadata = new Metadata();
    metadata.set(ERROR_CODE_KEY, e.code);
    return { code: e.grpcStatus, details: e.message, metadata };
  }
  const message = e instanceof Error ? e.message : String(e);
  return { code: status.INTERNAL, details: `internal error in the certificate authority: ${message}` };
}

/** The refusal code a manager sent in the ERROR_CODE_KEY trailer, if any. */
export function remoteErrorCode(metadata: Metadata | undefined): string | undefined {
  const value = metadata?.get(ERROR_CODE_KEY)[0];
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/**
 * This node's certificate comes from a root CA the swarm no longer trusts: the root CA was
 * rotated (`docker swarm ca --rotate`) and the rotation finished while the node was away (it had
 * been removed from the node list, which lets a rotation finish without it).
 */
export class RootRotatedAwayError extends CaError {
  constructor() {
    super(
      'UNTRUSTED_CERTIFICATE',
      status.UNAUTHENTICATED,
      "this node's certificate was issued by a root CA the swarm no longer trusts: the swarm's root CA " +
        'was rotated while this node was away. Run `docker swarm leave --force` on this node, then join ' +
        'again with a current join token (`docker swarm join-token` on a manager)',
    );
    this.name = 'RootRotatedAwayError';
  }
}
