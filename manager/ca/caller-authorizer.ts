// Who may call what on the cluster port (2377), decided on every call from the caller's
// certificate AND the cluster's current state, never from the certificate alone: a certificate
// is valid for 90 days, while a node can be demoted or removed at any moment. As swarmkit does,
// a removed node's ID is listed on the Cluster object (removedNodes) and refused everywhere at
// once; a node the store does not know is refused too; manager methods need both a manager
// certificate and a node the store has as a manager (its spec, so a demotion takes effect the
// moment it commits); Raft needs a manager still in the Raft group (the store's observed role,
// which the role manager turns to worker only once the node is out of the group, so that a
// demoted manager can still acknowledge its own removal).
//
// The store read is the local one: on a follower it may lag the leader by a few entries, which
// is acceptable (and the leader-only services answer "not the leader" for a node this manager
// does not know yet, rather than refusing it for good).

import type { NodeRole } from '../store/objects/node.js';
import {
  NodeDemotedError,
  NodeRemovedError,
  PermissionDeniedError,
  UnauthenticatedError,
  UnknownNodeError,
} from './errors.js';
import type { NodeIdentity } from './node-certificate.js';
import { peerIdentity, type CallWithAuthContext } from './peer-identity.js';

/**
 * What a method needs of its caller: `node` any member node (dispatcher, certificate renewal),
 * `manager` a manager by certificate and by the store's spec (Control), `raft` a manager still
 * in the Raft group (Raft.Stream, Raft.SendSnapshot).
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
    };

/** The cluster state the authorizer reads. */
export interface ClusterMembership {
  /** The cluster this manager belongs to (a certificate's O must name it). */
  readonly clusterId: string;
  standing(nodeId: string): NodeStanding;
  /** Whether a Raft member ID is in the current configuration (voter or learner). */
  isRaftMember(raftId: number): boolean;
}

/**
 * The caller's identity if `access` is granted; throws a CaError otherwise: UnauthenticatedError
 * (UNAUTHENTICATED) without a verified node certificate, and PERMISSION_DENIED for another
 * cluster, a removed node, a node the store does not know, a worker on a manager method, or a
 * manager certificate of a node demoted since it was issued.
 */
export function decideAccess(
  identity: NodeIdentity | undefined,
  membership: ClusterMembership,
  access: CallerAccess,
  method: string,
): NodeIdentity {
  if (identity === undefined) throw new UnauthenticatedError(method);
  if (identity.clusterId !== membership.clusterId) {
    throw new PermissionDeniedError(identity.nodeId, `member of cluster ${identity.clusterId}`, [
      `cluster ${membership.clusterId}`,
    ]);
  }
  const standing = membership.standing(identity.nodeId);
  if (standing.kind === 'removed') throw new NodeRemovedError(identity.nodeId);
  if (standing.kind === 'unknown') throw new UnknownNodeError(identity.nodeId);
  if (access === 'node') return identity;
  if (identity.role !== 'manager')
    throw new PermissionDeniedError(identity.nodeId, identity.role, ['manager']);
  if (access === 'manager') {
    if (standing.desiredRole !== 'manager' || standing.role !== 'manager') {
      throw new NodeDemotedError(identity.nodeId);
    }
    return identity;
  }
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

/** Checks callers of the cluster port's methods against the cluster's current state. */
export class CallerAuthorizer {
  readonly #membership: ClusterMembership;
  /** The certificate of a call never changes: parsed once per call (a Raft stream is checked per batch). */
  readonly #identities = new WeakMap<object, NodeIdentity | null>();

  constructor(membership: ClusterMembership) {
    this.#membership = membership;
  }

  /** The caller's identity, or throws (see decideAccess). Call it on every call, and on every message of a stream. */
  authorize(call: CallWithAuthContext, access: CallerAccess): NodeIdentity {
    return decideAccess(this.#identity(call), this.#membership, access, call.getPath?.() ?? 'this call');
  }

  #identity(call: CallWithAuthContext): NodeIdentity | undefined {
    const known = this.#identities.get(call);
    if (known !== undefined) return known ?? undefined;
    const identity = peerIdentity(call);
    this.#identities.set(call, identity ?? null);
    return identity;
  }
}
