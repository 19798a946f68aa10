// What the CA server needs from the cluster: the current root CA and join tokens, and where to
// record the nodes it certifies. The daemon backs it with the replicated store (the Cluster
// object's rootCA and joinTokens, the Node table); MemoryCaBackend backs it in tests.

import type { NodeRole } from '../../api/objects/node.js';
import type { JoinTokens } from '../../ca/join-token.js';
import type { RootCA } from '../../ca/root-ca.js';

/** The cluster's CA settings, read together so a request sees one consistent state. */
export interface CaClusterState {
  readonly clusterId: string;
  /** The root CA (the one join tokens pin), holding its signing key. */
  readonly rootCA: RootCA;
  /** The root whose key signs node certificates: `rootCA`, or the next root during a rotation. */
  readonly signer: RootCA;
  /** PEM sent after each issued certificate: the cross-signed next root during a rotation, or ''. */
  readonly intermediatesPem: string;
  /** The roots nodes should trust now (PEM): the root, and the next root during a rotation. */
  readonly trustBundlePem: string;
  /** PEM of the next root during a rotation. */
  readonly rotationRootPem?: string;
  /** The current tokens (rotating one replaces it). */
  readonly joinTokens: JoinTokens;
  /** Validity of issued node certificates, ms (Cluster.spec.caConfig.nodeCertExpiry). */
  readonly nodeCertExpiryMs: number;
}

/** A certificate the CA has just issued. */
export interface IssuedCertificate {
  readonly nodeId: string;
  readonly role: NodeRole;
  /** PEM certificate. */
  readonly certificatePem: string;
  /** PEM CSR it was issued for. */
  readonly csrPem: string;
  /** "join" for a new node, "renew" for an existing node's new certificate. */
  readonly reason: 'join' | 'renew';
  /** The caller's address as gRPC reports it ("ipv4:10.0.0.5:51234"). */
  readonly peer: string;
  readonly issuedAt: Date;
}

export interface CaBackend {
  current(): Promise<CaClusterState>;
  /**
   * Records an issued certificate: on "join", creates the node (role, certificate); on "renew",
   * stores its new certificate. Resolves once recorded (committed, for the replicated store);
   * the CA answers the node only then.
   */
  recordCertificate(issued: IssuedCertificate): Promise<void>;
  /** Whether the node was removed from the swarm: its certificate is then no longer honoured. */
  isNodeRemoved(nodeId: string): Promise<boolean>;
  /** The role the node should have now (its spec's desired role), or undefined if unknown. */
  nodeRole(nodeId: string): Promise<NodeRole | undefined>;
}
