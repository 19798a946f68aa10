// Who is calling: the identity in the client certificate of a gRPC server call, and the guard
// that lets only some roles through. grpc-js (1.14) exposes the peer certificate through
// `call.getAuthContext().sslPeerCertificate`, and only when the TLS layer verified it against
// the server's CA (socket.authorized); a call without a verified certificate has none.

import { createHash } from 'node:crypto';
import type { PeerCertificate } from 'node:tls';
import type { NodeRole } from '../api/objects/node.js';
import { UnauthenticatedError } from '../api/errors.js';
import { PermissionDeniedError } from './errors.js';
import { parseNodeCertificate, type NodeCertificateInfo, type NodeIdentity } from './node-certificate.js';

/** The part of a grpc-js server call (unary or streaming) this module reads. */
export interface CallWithAuthContext {
  getAuthContext(): { sslPeerCertificate?: PeerCertificate | undefined };
  getPath?(): string;
}

/**
 * The identity in the caller's verified certificate, or undefined when the caller presented
 * none, or one not signed by the swarm's root CA, or one that is not a node certificate.
 */
export function peerIdentity(call: CallWithAuthContext): NodeIdentity | undefined {
  const info = peerCertificate(call);
  if (info === undefined) return undefined;
  const { nodeId, role, clusterId } = info;
  return { nodeId, role, clusterId };
}

/**
 * Certificates already read, by the SHA-256 of their DER bytes: every call of every node presents its
 * certificate, and parsing one (ASN.1) costs far more than the call's own work. What a
 * certificate says never changes; whether its node may still call is decided per call from the
 * cluster's state by the caller authorizer, not here. Bounded: the oldest entry goes first.
 */
const parsed = new Map<string, NodeCertificateInfo | null>();
export const PARSED_CERTIFICATES_KEPT = 8192;

function parseCached(raw: Buffer): NodeCertificateInfo | undefined {
  const key = createHash('sha256').update(raw).digest('base64');
  const known = parsed.get(key);
  if (known !== undefined) return known ?? undefined;
  let info: NodeCertificateInfo | null;
  try {
    info = Object.freeze(parseNodeCertificate(raw));
  } catch {
    info = null;
  }
  if (parsed.size >= PARSED_CERTIFICATES_KEPT) parsed.delete(parsed.keys().next().value!);
  parsed.set(key, info);
  return info ?? undefined;
}

/** The caller's verified node certificate (identity and validity), or undefined (see peerIdentity). */
export function peerCertificate(call: CallWithAuthContext): NodeCertificateInfo | undefined {
  const cert = call.getAuthContext().sslPeerCertificate;
  if (cert?.raw === undefined) return undefined;
  return parseCached(cert.raw);
}

export interface RequireRoleOptions {
  /** When given, the caller's certificate must name this cluster (its O). */
  readonly clusterId?: string;
}

/**
 * The caller's identity if its role is `role` (or one of `role`). Throws UnauthenticatedError
 * (gRPC UNAUTHENTICATED) when the caller has no verified node certificate, PermissionDeniedError
 * (gRPC PERMISSION_DENIED) when its role, or its cluster, is not the one required.
 */
export function requireRole(
  call: CallWithAuthContext,
  role: NodeRole | readonly NodeRole[],
  options: RequireRoleOptions = {},
): NodeIdentity {
  const roles: readonly NodeRole[] = typeof role === 'string' ? [role] : role;
  const identity = peerIdentity(call);
  if (identity === undefined) throw new UnauthenticatedError(call.getPath?.() ?? 'this call');
  if (options.clusterId !== undefined && identity.clusterId !== options.clusterId) {
    throw new PermissionDeniedError(identity.nodeId, `member of cluster ${identity.clusterId}`, [
      `cluster ${options.clusterId}`,
    ]);
  }
  if (!roles.includes(identity.role)) throw new PermissionDeniedError(identity.nodeId, identity.role, roles);
  return identity;
}
