// Certificate chains and trust bundles. While the root CA is rotated a node certificate is
// signed by the new root's key and travels with the cross-signed intermediate (the new root's
// subject and key, signed by the old root), and a node may trust two roots at once (old and new).
// A chain is PEM certificates leaf first; a bundle is PEM root certificates. Both are bounded:
// a peer sends them, and a path is searched through them.

import { X509Certificate as NodeX509 } from 'node:crypto';
import { pemBlocks } from './pem.js';

/** A leaf and its intermediates at most; a trust bundle holds the current and the next root. */
export const MAX_CHAIN_CERTIFICATES = 3;
export const MAX_BUNDLE_CERTIFICATES = 2;

/** The DER certificates of a PEM text, in order; a reason instead when there are none or too many. */
export function certificateBlocks(pem: string, max: number): Buffer[] | string {
  const blocks = pemBlocks(pem, 'CERTIFICATE');
  if (blocks.length === 0) return 'no PEM CERTIFICATE block found';
  if (blocks.length > max) return `expected at most ${max} PEM CERTIFICATE blocks, found ${blocks.length}`;
  if (blocks.some((b) => b.length === 0)) return 'a PEM CERTIFICATE block is empty';
  return blocks;
}

/** Whether `child` names `parent` as its issuer and carries a signature by `parent`'s key. */
export function signedBy(child: NodeX509, parent: NodeX509): boolean {
  try {
    return child.checkIssued(parent) && child.verify(parent.publicKey);
  } catch {
    return false;
  }
}

/**
 * The certificate that signed `leaf` on a path to one of `roots`, through at most the given
 * intermediates (each a CA certificate valid at `now`), or undefined when there is no such path.
 * The returned issuer is a root or an intermediate: its subject and key are the leaf's issuer.
 */
export function issuerOnPathToRoots(
  leaf: NodeX509,
  intermediates: readonly NodeX509[],
  roots: readonly NodeX509[],
  now: Date,
): NodeX509 | undefined {
  for (const root of roots) if (signedBy(leaf, root)) return root;
  for (const mid of intermediates.slice(0, MAX_CHAIN_CERTIFICATES - 1)) {
    if (!mid.ca || !validAt(mid, now) || !signedBy(leaf, mid)) continue;
    if (roots.some((root) => signedBy(mid, root))) return mid;
  }
  return undefined;
}

function validAt(cert: NodeX509, now: Date): boolean {
  const t = now.getTime();
  return t >= new Date(cert.validFrom).getTime() && t <= new Date(cert.validTo).getTime();
}

/** Parses DER certificates; throws with the parser's reason. */
export function parseCertificates(ders: readonly Uint8Array[]): NodeX509[] {
  return ders.map((d) => new NodeX509(d));
}
