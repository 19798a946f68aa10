// Who is calling: the node ID and role a peer proves with its TLS client certificate. The CA
// builds the real resolver (`peerIdentity(call)` over the certificate's subject); tests with
// insecure credentials inject their own. The dispatcher never trusts a node ID from a message.

import type * as grpc from '@grpc/grpc-js';
import type { NodeRole } from '../store/objects/index.js';

export interface NodeIdentity {
  readonly nodeId: string;
  readonly role: NodeRole;
}

/** What every server call offers to identify its peer. */
export type ServerCall = Pick<
  grpc.ServerUnaryCall<unknown, unknown>,
  'getPeer' | 'getAuthContext' | 'metadata'
>;

/** Resolves the caller of a gRPC call, or undefined when it presented no valid identity. */
export type Identify = (call: ServerCall) => NodeIdentity | undefined;

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
