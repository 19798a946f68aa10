// gRPC credentials for port 2377. Every node trusts the swarm's root CA: one root, or two (the
// current and the next) while the root CA is rotated.
//
// Server side: a manager presents its node certificate and requests the client's. By default
// the TLS handshake refuses any client without a certificate signed by the root. With
// `publicMethods` (the CA's GetRootCACertificate and IssueNodeCertificate, which a joining node
// calls before it has a certificate) the handshake lets certificate-less clients in, an
// interceptor answers UNAUTHENTICATED to every other method unless the client's certificate
// verified, and handlers still check roles with `requireRole` (as Swarm does on one port).
//
// Client side: nodes dial managers by IP, so there is no host name to check. Instead the server
// certificate must chain to the root and name a manager of the expected cluster.

import * as grpc from '@grpc/grpc-js';
import type { DetailedPeerCertificate, PeerCertificate } from 'node:tls';
import { UnauthenticatedError } from '../api/errors.js';
import { MAX_CHAIN_CERTIFICATES } from './cert-chain.js';
import { MANAGER_OU, verifyNodeCertificate } from './node-certificate.js';

export {
  peerIdentity,
  requireRole,
  type CallWithAuthContext,
  type RequireRoleOptions,
} from './peer-identity.js';

/** A node's TLS identity: the root it trusts, its certificate and its private key (all PEM). */
export interface NodeTlsMaterial {
  readonly rootCaPem: string;
  readonly certPem: string;
  readonly keyPem: string;
}

export interface NodeServerCredentialsOptions {
  /**
   * Full method paths (e.g. "/shoal.ca.NodeCA/GetRootCACertificate") that may be called without
   * a client certificate. Empty (the default): the handshake requires one.
   */
  readonly publicMethods?: readonly string[];
}

/**
 * Server credentials whose certificate can be replaced while the server runs (`update`, after
 * a renewal): new connections get the new certificate, open ones keep theirs.
 */
export class NodeServerCredentials extends grpc.ServerCredentials {
  readonly publicMethods: ReadonlySet<string>;
  readonly #interceptors: grpc.ServerInterceptor[];

  constructor(material: NodeTlsMaterial, options: NodeServerCredentialsOptions = {}) {
    const publicMethods = new Set(options.publicMethods ?? []);
    super({ requestCert: true, rejectUnauthorized: publicMethods.size === 0 }, contextOptions(material));
    this.publicMethods = publicMethods;
    this.#interceptors = publicMethods.size === 0 ? [] : [certificateGate(publicMethods)];
  }

  /** Serves `material` on connections made from now on. */
  update(material: NodeTlsMaterial): void {
    this.updateSecureContextOptions(contextOptions(material));
  }

  override _equals(other: grpc.ServerCredentials): boolean {
    return other === this;
  }

  override _getInterceptors(): grpc.ServerInterceptor[] {
    return this.#interceptors;
  }
}

export function serverCredentials(
  material: NodeTlsMaterial,
  options: NodeServerCredentialsOptions = {},
): NodeServerCredentials {
  return new NodeServerCredentials(material, options);
}

function contextOptions(m: NodeTlsMaterial): {
  ca: Buffer;
  cert: Buffer;
  key: Buffer;
  minVersion: 'TLSv1.2';
} {
  return {
    ca: Buffer.from(m.rootCaPem),
    cert: Buffer.from(m.certPem),
    key: Buffer.from(m.keyPem),
    minVersion: 'TLSv1.2',
  };
}

/** Refuses calls to non-public methods from clients whose certificate the TLS layer did not verify. */
function certificateGate(publicMethods: ReadonlySet<string>): grpc.ServerInterceptor {
  return (method, call) => {
    if (publicMethods.has(method.path)) return new grpc.ServerInterceptingCall(call);
    return new grpc.ServerInterceptingCall(call, {
      start: (next) => {
        next({
          onReceiveMetadata: (metadata, nextMetadata) => {
            if (call.getAuthContext().sslPeerCertificate !== undefined) {
              nextMetadata(metadata);
              return;
            }
            call.sendStatus({
              code: grpc.status.UNAUTHENTICATED,
              details: new UnauthenticatedError(method.path).message,
              metadata: new grpc.Metadata(),
            });
          },
        });
      },
    });
  };
}

export interface ManagerIdentityOptions {
  /** When given, the manager's certificate must name this cluster (its O). */
  readonly clusterId?: string;
  /** The clock certificates are checked against (default: the system clock). */
  readonly now?: () => Date;
}

/**
 * The TLS server-identity check of a node dialing a manager: instead of a host name, the peer's
 * certificate must chain to `rootCaPem` (read at each handshake: it changes during a root
 * rotation) and carry the manager role (and the cluster ID, when given). It runs after the TLS
 * layer has verified the chain, as a second, explicit check.
 */
export function managerIdentityCheck(
  rootCaPem: string | (() => string),
  options: ManagerIdentityOptions = {},
): (hostname: string, cert: PeerCertificate) => Error | undefined {
  const now = options.now ?? (() => new Date());
  const trust = typeof rootCaPem === 'string' ? () => rootCaPem : rootCaPem;
  return (_hostname, cert) => {
    try {
      const identity = verifyNodeCertificate(cert.raw, trust(), now(), peerIntermediates(cert));
      if (identity.role !== 'manager') {
        return new Error(`the server ${identity.nodeId} is a ${identity.role}, not a swarm manager`);
      }
      if (options.clusterId !== undefined && identity.clusterId !== options.clusterId) {
        return new Error(
          `the server ${identity.nodeId} belongs to cluster ${identity.clusterId}, not ${options.clusterId}`,
        );
      }
      return undefined;
    } catch (e: unknown) {
      return e instanceof Error ? e : new Error(String(e));
    }
  };
}

/** The certificates the peer sent after its leaf (node's detailed peer certificate links them). */
function peerIntermediates(cert: PeerCertificate): Buffer[] {
  const out: Buffer[] = [];
  let next = (cert as DetailedPeerCertificate).issuerCertificate as DetailedPeerCertificate | undefined;
  let prev: PeerCertificate = cert;
  while (next !== undefined && next !== prev && out.length < MAX_CHAIN_CERTIFICATES - 1) {
    if (next.raw === undefined || next.raw.equals(prev.raw)) break;
    out.push(next.raw);
    prev = next;
    next = next.issuerCertificate;
  }
  return out;
}

/** What a node needs to dial a manager: the root it trusts, and its own identity once it has one. */
export interface ChannelTrust {
  readonly rootCaPem: string;
  /** The node's certificate and key; absent while joining (IssueNodeCertificate needs none). */
  readonly identity?: { readonly certPem: string; readonly keyPem: string };
}

/** Channel credentials for dialing a manager: trusts only the root, checks the server is a manager. */
export function channelCredentials(
  trust: ChannelTrust,
  options: ManagerIdentityOptions = {},
): grpc.ChannelCredentials {
  return grpc.ChannelCredentials.createSsl(
    Buffer.from(trust.rootCaPem),
    trust.identity ? Buffer.from(trust.identity.keyPem) : null,
    trust.identity ? Buffer.from(trust.identity.certPem) : null,
    { checkServerIdentity: managerIdentityCheck(trust.rootCaPem, options) },
  );
}

/** A node's own credentials for dialing a manager of its cluster (its certificate, its root). */
export function nodeChannelCredentials(
  node: NodeTlsMaterial & { readonly clusterId: string },
  options: Pick<ManagerIdentityOptions, 'now'> = {},
): grpc.ChannelCredentials {
  return channelCredentials(
    { rootCaPem: node.rootCaPem, identity: { certPem: node.certPem, keyPem: node.keyPem } },
    { clusterId: node.clusterId, ...options },
  );
}

/**
 * Credentials that verify nothing about the server: only for the first step of joining, fetching
 * the root CA, whose digest the node then checks against its token before trusting it.
 */
export function bootstrapChannelCredentials(): grpc.ChannelCredentials {
  return grpc.ChannelCredentials.createSsl(null, null, null, { rejectUnauthorized: false });
}

/**
 * Channel options for every client of port 2377: the TLS server name is "swarm-manager" rather
 * than the IP being dialed (a server name may not be an IP address, RFC 6066).
 */
export const NODE_CHANNEL_OPTIONS: grpc.ChannelOptions = {
  'grpc.ssl_target_name_override': MANAGER_OU,
  'grpc.default_authority': MANAGER_OU,
};
