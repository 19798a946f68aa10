// The crypto half of a root CA rotation, run once the control layer has decided what to do
// (controlapi/ca-rotation-rules.ts): the next root (generated, or the pair the operator gave)
// and the intermediate that bridges it to the current root, as the cluster stores them.

import type { ClusterRootCA } from '../../api/objects/cluster.js';
import { crossSignRoot } from '../../ca/cross-sign.js';
import { RootCA } from '../../ca/root-ca.js';
import type { RootRotationPlan } from '../controlapi/ca-rotation-rules.js';

/** The cluster's root CA record after `plan`, or undefined when it stays as it is. */
export async function rootCAAfter(
  current: ClusterRootCA,
  plan: RootRotationPlan,
): Promise<ClusterRootCA | undefined> {
  switch (plan.kind) {
    case 'none':
      return undefined;
    case 'cancel': {
      const { rootRotation: _dropped, ...rest } = current;
      return rest;
    }
    case 'generate':
    case 'given': {
      // The bridge is signed by the current root's key, never by a pending root's: a rotation
      // asked for during another replaces the pending root, and nodes still trust the current one.
      const old = await RootCA.fromPem(current.caCert, current.caKey);
      const next =
        plan.kind === 'generate' ? await RootCA.create() : await RootCA.fromPem(plan.certPem, plan.keyPem);
      const crossSignedCACert = await crossSignRoot(old, next);
      const { certPem, keyPem } = next.toPem();
      return { ...current, rootRotation: { caCert: certPem, caKey: keyPem, crossSignedCACert } };
    }
  }
}
