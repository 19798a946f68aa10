// What the cluster's root CA record means for trust, in one place for the managers (CA server,
// TLS servers, API) and the nodes: while a rotation is pending (rootCA.rootRotation) certificates
// are issued by the next root and both roots are trusted; otherwise the root alone.

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
