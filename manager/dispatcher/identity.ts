// Who is calling: the node ID and role a peer proves with its TLS client certificate, checked
// against the cluster's current state (authorizedIdentify over the CA's CallerAuthorizer); tests
// with insecure credentials inject their own. The dispatcher never trusts a node ID from a message.

import * as grpc from '@grpc/grpc-js';
import { CaError, UnknownNodeError } from '../../ca/errors.js';
import type { NodeIdentity } from '../../ca/node-certificate.js';
import { NotLeaderError, UnauthenticatedError } from '../../api/errors.js';
import { NodeRefusedError } from '../../api/wire/errors.js';

/** Who a dispatcher call comes from: the part of the node's certificate identity it needs. */
export type CallerIdentity = Pick<NodeIdentity, 'nodeId' | 'role'>;

/** What every server call offers to identify its peer. */
export type ServerCall = Pick<
  grpc.ServerUnaryCall<unknown, unknown>,
  'getPeer' | 'getAuthContext' | 'metadata'
>;

/** Resolves the caller of a gRPC call, or undefined when it presented no valid identity. */
export type Identify = (call: ServerCall) => CallerIdentity | undefined;

/** The host part of a grpc-js peer string ("ipv4:10.0.0.5:4711", "[::1]:4711", "10.0.0.5:4711"). */
export function peerHost(peer: string): string {
  let p = peer.replace(/^ipv[46]:/, '');
  if (p.startsWith('[')) {
    const end = p.indexOf(']');
    return end > 0 ? p.slice(1, end) : p;
  }
  const colon = p.lastIndexOf(':');
  if (colon > 0 && p.indexOf(':') === colon) p = p.slice(0, colon);
  return p;
}

export interface AuthorizedIdentifyOptions {
  /**
   * The caller's identity if it is a member node now (CallerAuthorizer with 'node' access):
   * throws otherwise (UnauthenticatedError, NodeRemovedError, or a CaError with
   * PERMISSION_DENIED for another cluster or a node the store does not know).
   */
  readonly authorize: (call: ServerCall) => CallerIdentity;
  /** Whether this manager's dispatcher serves agents (it leads, so its store is current). */
  readonly leading: () => boolean;
  /** host:port of the leader, for a caller sent there. */
  readonly leaderAddr: () => string | undefined;
}

/**
 * The dispatcher's Identify over the cluster's current state. Refusals keep the authorizer's
 * message and travel as PERMISSION_DENIED, on which an agent stops for good (it was removed);
 * so a node this manager does not know while it does not lead (its store may lag the leader's)
 * is sent to the leader instead (UNAVAILABLE), never told it was removed.
 */
export function authorizedIdentify(o: AuthorizedIdentifyOptions): Identify {
  return (call) => {
    try {
      return o.authorize(call);
    } catch (e: unknown) {
      if (e instanceof UnauthenticatedError) return undefined;
      if (!(e instanceof CaError)) throw e; // NodeRemovedError travels as itself
      if (e.grpcStatus === grpc.status.UNAUTHENTICATED) return undefined;
      if (e instanceof UnknownNodeError && !o.leading()) throw new NotLeaderError(o.leaderAddr());
      throw new NodeRefusedError(e.message);
    }
  };
}
