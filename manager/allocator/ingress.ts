// The routing-mesh network: Swarm's default `ingress` overlay, created with the cluster (it is
// allocated first, so it gets 10.0.0.0/24 and VNI 4096), and the rule that a service needs it
// when it publishes a port in ingress mode.

import { generateId } from '../../api/objects/ids.js';
import type { Network, NewObject, ServiceSpec } from '../../api/objects/index.js';
import type { ReadTx } from '../store/read-tx.js';
import type { WriteTx } from '../store/write-tx.js';

export const INGRESS_NAME = 'ingress';

export function newIngressNetwork(id: string = generateId()): NewObject<'networks'> {
  return {
    id,
    spec: {
      name: INGRESS_NAME,
      labels: {},
      driverConfig: { name: 'overlay', options: {} },
      ipv6Enabled: false,
      internal: false,
      attachable: false,
      ingress: true,
    },
    pendingDelete: false,
  };
}

/** The ingress network, if the cluster has one. */
export function findIngress(tx: Pick<ReadTx, 'list'>): Network | undefined {
  return tx.list('networks').find((n) => n.spec.ingress);
}

/**
 * Creates the default ingress network in `tx` unless the cluster has one (or a network already
 * uses the name). Call it in the transaction that creates the cluster, as `swarm init` does.
 */
export function ensureIngressNetwork(tx: WriteTx): Network | undefined {
  if (findIngress(tx) !== undefined || tx.getByName('networks', INGRESS_NAME) !== undefined) return undefined;
  return tx.create('networks', newIngressNetwork());
}

/** A service needs the ingress network when it publishes a port through the routing mesh. */
export function needsIngress(spec: ServiceSpec): boolean {
  return (spec.endpointSpec?.ports ?? []).some((p) => p.publishMode === 'ingress');
}
