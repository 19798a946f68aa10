// What the cluster's root CA record means for trust, in one place for the managers (CA server,
// TLS servers, API) and the nodes: while a rotation is pending (rootCA.rootRotation) certificates
// are issued by the next root and both roots are trusted; otherwise the root alone.

import { createHash } from 'node:crypto';
import type { ClusterRootCA } from '../api/objects/cluster.js';

/** The root whose key issues node certificates now: the next root during a rotation. */
export function desiredRootPem(rootCA: Pick<ClusterRootCA, 'caCert' | 'rootRotation'>): string {
  return rootCA.rootRotation?.caCert ?? rootCA.caCert;
}

/** The roots a node should trust now (PEM): the current root, then the next one during a rotation. */
export function trustBundlePem(rootCA: Pick<ClusterRootCA, 'caCert' | 'rootRotation'>): string {
  return rootBundle(rootCA.caCert, rootCA.rootRotation?.caCert);
}

/** A trust bundle of the current root and, when given, the next one. */
export function rootBundle(root: string, rotationRoot: string | undefined): string {
  const withNewline = (p: string): string => (p.endsWith('\n') ? p : `${p}\n`);
  return rotationRoot === undefined ? root : withNewline(root) + withNewline(rotationRoot);
}

/**
 * What names the swarm's roots on the agent session (SessionMessage.roots_digest): SHA-256, hex,
 * of the root and the next one (if any). Both sides compute it from the same two PEMs: the
 * managers from the cluster's record, a node from what NodeCA answered.
 */
export function rootsDigest(root: string, rotationRoot: string | undefined): string {
  return createHash('sha256')
    .update(JSON.stringify([root, rotationRoot ?? '']))
    .digest('hex');
}

/** A roots digest as rootsDigest writes it (64 lowercase hex digits). */
export function isRootsDigest(s: string): boolean {
  return /^[0-9a-f]{64}$/.test(s);
}
