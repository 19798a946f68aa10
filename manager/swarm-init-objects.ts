// What `swarm init` writes to the new swarm's store, in one transaction: the cluster object
// (Docker's defaults, the root CA, join tokens and, with --autolock, the unlock key), the
// ingress network, and the first manager's node object (leader, with its issued certificate).

import type { RootCA } from '../ca/root-ca.js';
import { ensureIngressNetwork } from './allocator/ingress.js';
import { newClusterObject } from './cluster-defaults.js';
import type { InitRequest } from './engineapi/swarm-control.js';
import type { WriteTx } from './store/index.js';

export interface FirstManager {
  readonly nodeId: string;
  /** The node's IP address (its status address). */
  readonly addr: string;
  readonly raftId: number;
  /** host:port of its cluster port. */
  readonly advertiseAddr: string;
  readonly certPem: string;
  readonly csrPem: string;
}

export function createSwarmObjects(
  tx: WriteTx,
  o: {
    readonly clusterId: string;
    readonly ca: RootCA;
    readonly spec?: InitRequest['spec'];
    readonly unlockKey?: string;
    readonly manager: FirstManager;
  },
): void {
  const m = o.manager;
  tx.create('clusters', newClusterObject(o.clusterId, o.ca, o.spec, o.unlockKey));
  ensureIngressNetwork(tx);
  tx.create('nodes', {
    id: m.nodeId,
    spec: { labels: {}, role: 'manager', availability: 'active' },
    role: 'manager',
    status: { state: 'unknown', message: '', addr: m.addr },
    managerStatus: { raftId: m.raftId, addr: m.advertiseAddr, leader: true, reachability: 'reachable' },
    certificate: { state: 'issued', certificate: m.certPem, csr: m.csrPem, cn: m.nodeId, role: 'manager' },
    attachments: [],
  });
}
