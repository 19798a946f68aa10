// Who may call what on the cluster port (2377), decided on every call from the caller's
// certificate AND the cluster's current state, never from the certificate alone: a certificate
// is valid for 90 days, while a node can be demoted or removed at any moment. As swarmkit does,
// a removed node's ID is listed on the Cluster object (removedNodes) and refused everywhere at
// once. The node and Control services (answered by the leader, whose store is current) also
// refuse a node the store does not know, and Control needs both a manager certificate and a
// node the store has as a manager (its spec: a demotion takes effect the moment it commits).
//
// Raft is different: a manager whose store lags (it is catching up from an empty store, or it
// restarts after others joined) must still hear the leader that would bring it up to date, so
// Raft refuses only what a lagging store still proves: a removed node (removal is for good), a
// worker certificate, another cluster, and a node the store has as a worker or outside the Raft
// group (`node demote` done, `swarm leave --force`) unless its certificate is newer than that
// record (it was promoted again since). While a demotion is in progress the node is still in the
// Raft group and must be heard: it may have to acknowledge its own removal.

import { NodeRemovedError, UnauthenticatedError } from '../../api/errors.js';
import type { NodeRole } from '../../api/objects/node.js';
import { NodeDemotedError, PermissionDeniedError, UnknownNodeError } from '../../ca/errors.js';
import type { NodeIdentity } from '../../ca/node-certificate.js';
import { peerCertificate, type CallWithAuthContext } from '../../ca/peer-identity.js';
import { CERT_BACKDATE_MS } from '../../ca/root-ca.js';

/**
 * What a method needs of its caller: `node` any member node (dispatcher, certificate renewal),
 * `manager` a manager by certificate and by the store's spec (Control), `raft` a manager still
 * in the Raft group as far as a possibly lagging store can tell (Raft.Stream, SendSnapshot).
 */
export type CallerAccess = 'node' | 'manager' | 'raft';

/** What the cluster's state says about one node ID. */
export type NodeStanding =
  | { readonly kind: 'removed' }
  | { readonly kind: 'unknown' }
  | {
      readonly kind: 'member';
      /** The role the node has now (the role manager moves it towards the spec). */
      readonly role: NodeRole;
      /** The role the operator asked for (`node promote` / `node demote`). */
      readonly desiredRole: NodeRole;
      /** The node's Raft member ID once it joined the Raft group (Node.managerStatus). */
      readonly raftId?: number;
      /** When the node's record last changed (ms since the epoch; Node.meta.updatedAt). */
      readonly changedAt?: number;
    };

/** A caller's certificate: who it names, and since when it is valid. */
export interface CallerCertificate extends NodeIdentity {
  readonly notBefore?: Date;
}

/** The cluster state the authorizer reads. */
export interface ClusterMembership {
  /** The cluster this manager belongs to (a certificate's O must name it). */
  readonly clusterId: string;
  standing(nodeId: string): NodeStanding;
  /** Whether a Raft member ID is in the current configuration (voter or learner). */
  isRaftMember(raftId: number): boolean;
}

/**
 * The caller's identity if `access` is granted; throws otherwise: UnauthenticatedError
 * (UNAUTHENTICATED) without a verified node certificate, NodeRemovedError (PERMISSION_DENIED) for
 * a removed node, and a CaError with PERMISSION_DENIED for another cluster, a node the store does
 * not know, a worker on a manager method, or a manager certificate of a node demoted since it
 * was issued.
 */
export function decideAccess(
  certificate: CallerCertificate | undefined,
  membership: ClusterMembership,
  access: CallerAccess,
  method: string,
): NodeIdentity {
  if (certificate === undefined) throw new UnauthenticatedError(method);
  const identity: NodeIdentity = {
    nodeId: certificate.nodeId,
    role: certificate.role,
    clusterId: certificate.clusterId,
  };
  if (identity.clusterId !== membership.clusterId) {
    throw new PermissionDeniedError(identity.nodeId, `member of cluster ${identity.clusterId}`, [
      `cluster ${membership.clusterId}`,
    ]);
  }
  const standing = membership.standing(identity.nodeId);
  if (standing.kind === 'removed') throw new NodeRemovedError(identity.nodeId);
  if (access !== 'node' && identity.role !== 'manager') {
    throw new PermissionDeniedError(identity.nodeId, identity.role, ['manager']);
  }
  if (access === 'raft') {
    // A lagging store does not know a manager that joined later: Raft must still hear it.
    if (standing.kind === 'unknown' || issuedAfter(certificate, standing.changedAt)) return identity;
    if (standing.role !== 'manager') throw new NodeDemotedError(identity.nodeId);
    if (standing.raftId !== undefined && !membership.isRaftMember(standing.raftId)) {
      throw new PermissionDeniedError(
        identity.nodeId,
        `manager that left the Raft group (member ${standing.raftId})`,
        ['Raft member'],
      );
    }
    return identity;
  }
  if (standing.kind === 'unknown') throw new UnknownNodeError(identity.nodeId);
  if (access === 'manager' && (standing.desiredRole !== 'manager' || standing.role !== 'manager')) {
    throw new NodeDemotedError(identity.nodeId);
  }
  return identity;
}

/**
 * Whether the certificate was issued after the node's record last changed, i.e. the record this
 * manager holds is older than the certificate (the CA backdates notBefore by CERT_BACKDATE_MS).
 */
function issuedAfter(certificate: CallerCertificate, changedAt: number | undefined): boolean {
  if (certificate.notBefore === undefined || changedAt === undefined) return false;
  return certificate.notBefore.getTime() + CERT_BACKDATE_MS > changedAt;
}

/** Checks callers of the cluster port's methods against the cluster's current state. */
export class CallerAuthorizer {
  readonly #membership: ClusterMembership;
  /** The certificate of a call never changes: parsed once per call (a Raft stream is checked per batch). */
  readonly #certificates = new WeakMap<object, CallerCertificate | null>();

  constructor(membership: ClusterMembership) {
    this.#membership = membership;
  }

  /** The caller's identity, or throws (see decideAccess). Call it on every call, and on every message of a stream. */
  authorize(call: CallWithAuthContext, access: CallerAccess): NodeIdentity {
    return decideAccess(this.#certificate(call), this.#membership, access, call.getPath?.() ?? 'this call');
  }

  #certificate(call: CallWithAuthContext): CallerCertificate | undefined {
    const known = this.#certificates.get(call);
    if (known !== undefined) return known ?? undefined;
    const info = peerCertificate(call);
    const certificate =
      info === undefined
        ? undefined
        : { nodeId: info.nodeId, role: info.role, clusterId: info.clusterId, notBefore: info.notBefore };
    this.#certificates.set(call, certificate ?? null);
    return certificate;
  }
}
