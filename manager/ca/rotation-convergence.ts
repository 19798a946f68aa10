// When a root CA rotation is done, and what the root CA record becomes then (swarmkit's root
// rotation reconciler, as a pure function of the cluster and its nodes).
//
// Which nodes count: every node the store holds, Down ones included, as swarmkit decides. A node
// that is away still holds a certificate of the old root only; finishing without it would lock it
// out (the managers would stop trusting the old root), and `docker swarm ca --rotate` counts every
// listed node too. A node that will not come back is removed (`docker node rm`), which lets the
// rotation finish. A node that comes back during the rotation connects with its old certificate
// (both roots are trusted, and the cross-signed intermediate bridges the new one) and renews.

import type { Cluster, ClusterRootCA } from '../../api/objects/cluster.js';
import type { Node } from '../../api/objects/node.js';
import { generateJoinTokens } from '../../ca/join-token.js';
import { rootCaDigest } from '../../ca/root-ca.js';
import { issuerOfCa, sameIssuer, type CertIssuer } from '../../ca/tls-info.js';

/** Whether `node` reports a certificate issued by `issuer` (Description.TLSInfo). */
export function nodeHasIssuer(node: Node, issuer: CertIssuer): boolean {
  const tls = node.description?.tlsInfo;
  if (tls === undefined) return false;
  return sameIssuer({ subject: tls.certIssuerSubject, publicKey: tls.certIssuerPublicKey }, issuer);
}

export interface RotationProgress {
  /** Nodes already on a certificate of the next root. */
  readonly converged: number;
  readonly total: number;
  /** Nodes still on an older certificate. */
  readonly waitingFor: readonly string[];
}

/** Where the pending rotation stands, or undefined when none is pending. */
export function rotationProgress(cluster: Cluster, nodes: readonly Node[]): RotationProgress | undefined {
  const rotation = cluster.rootCA.rootRotation;
  if (rotation === undefined) return undefined;
  const issuer = issuerOfCa(rotation.caCert);
  const waitingFor = nodes.filter((n) => !nodeHasIssuer(n, issuer)).map((n) => n.id);
  return { converged: nodes.length - waitingFor.length, total: nodes.length, waitingFor };
}

/**
 * The root CA record once the rotation is finished: the next root becomes the root, the rotation
 * is cleared, and both join tokens are new (they pin the root's digest). Undefined while a node
 * still waits, or when no rotation is pending.
 */
export function finishedRootCA(
  cluster: Cluster,
  nodes: readonly Node[],
  random?: (size: number) => Buffer,
): ClusterRootCA | undefined {
  const progress = rotationProgress(cluster, nodes);
  const rotation = cluster.rootCA.rootRotation;
  if (progress === undefined || rotation === undefined || progress.waitingFor.length > 0) return undefined;
  const digest = rootCaDigest(rotation.caCert);
  return {
    caCert: rotation.caCert,
    caKey: rotation.caKey,
    caCertDigest: digest,
    joinTokens: random === undefined ? generateJoinTokens(digest) : generateJoinTokens(digest, random),
  };
}
