// What a node does about the swarm's roots, decided from what a manager reports (pure, so it is
// tested alone; daemon/cert-renewal.ts runs it every few seconds):
//   - its certificate is not from the root certificates are issued from now (a rotation started,
//     or finished before this node renewed): renew at once;
//   - it trusts other roots than the swarm says (a rotation started: trust both; it finished:
//     drop the old root): take the swarm's roots, if its certificate chains to them;
//   - no rotation is pending and its certificate does not chain to the swarm's root: it cannot
//     renew any more (RootRotatedAwayError says what to do).

import type { NodeCredentials, SwarmRoots } from '../ca/ca-client.js';
import { rootBundle } from '../ca/cluster-roots.js';
import { verifyNodeCertificate } from '../ca/node-certificate.js';
import { issuerOfCa, issuerOfCertificate, sameIssuer } from '../ca/tls-info.js';

export type RootAction =
  | { readonly kind: 'none' }
  | { readonly kind: 'renew' }
  | { readonly kind: 'trust'; readonly rootCaPem: string }
  | { readonly kind: 'locked-out' };

export function rootAction(current: NodeCredentials, roots: SwarmRoots, now: Date): RootAction {
  const desired = issuerOfCa(roots.rotationRoot ?? roots.root);
  let mine;
  try {
    mine = issuerOfCertificate(current.certPem, current.rootCaPem);
  } catch {
    mine = undefined;
  }
  const bundle = rootBundle(roots.root, roots.rotationRoot);
  const chains = (trust: string): boolean => {
    try {
      verifyNodeCertificate(current.certPem, trust, now);
      return true;
    } catch {
      return false;
    }
  };
  if (mine === undefined || !sameIssuer(mine, desired)) {
    return chains(bundle) ? { kind: 'renew' } : { kind: 'locked-out' };
  }
  if (current.rootCaPem !== bundle && chains(bundle)) return { kind: 'trust', rootCaPem: bundle };
  return { kind: 'none' };
}
