// The cluster membership a manager's CallerAuthorizer reads: its own replicated store (the
// Cluster object's removedNodes, the Node table) and its Raft configuration. Reads are local, so
// a follower's answer may lag the leader's by the entries it has not applied yet.

import type { MemoryStore } from '../store/index.js';
import type { Cluster, Node } from '../../api/objects/index.js';
import type { ClusterMembership, NodeStanding } from './caller-authorizer.js';
import type { RaftIdentities } from './raft-sender.js';
import { removedNodeSet } from './removed-nodes.js';

export interface StoreMembershipOptions {
  readonly store: MemoryStore;
  readonly clusterId: string;
  /** The current Raft configuration (voters and learners). */
  readonly raftMembers: () => { readonly voters: readonly number[]; readonly learners: readonly number[] };
}

export function storeMembership(o: StoreMembershipOptions): ClusterMembership {
  return {
    clusterId: o.clusterId,
    standing: (nodeId) =>
      o.store.view((tx) => standingOf(tx.list('clusters')[0], tx.get('nodes', nodeId), nodeId)),
    isRaftMember: (raftId) => {
      const conf = o.raftMembers();
      return conf.voters.includes(raftId) || conf.learners.includes(raftId);
    },
  };
}

function standingOf(cluster: Cluster | undefined, node: Node | undefined, nodeId: string): NodeStanding {
  if (cluster !== undefined && removedNodeSet(cluster).has(nodeId)) return { kind: 'removed' };
  if (node === undefined) return { kind: 'unknown' };
  return {
    kind: 'member',
    role: node.role,
    desiredRole: node.spec.role,
    ...(node.managerStatus !== undefined ? { raftId: node.managerStatus.raftId } : {}),
    ...(Number.isFinite(Date.parse(node.meta.updatedAt))
      ? { changedAt: Date.parse(node.meta.updatedAt) }
      : {}),
  };
}

/** The store's node ID ↔ Raft ID records (Node.managerStatus), and the Raft configuration. */
export function storeRaftIdentities(o: Omit<StoreMembershipOptions, 'clusterId'>): RaftIdentities {
  return {
    recordedRaftId: (nodeId) => o.store.view((tx) => tx.get('nodes', nodeId)?.managerStatus?.raftId),
    // Only nodes with the manager role carry a managerStatus (the role manager drops it on demotion).
    nodeOfRaftId: (raftId) =>
      o.store.view(
        (tx) => tx.find('nodes', 'role', 'manager').find((n) => n.managerStatus?.raftId === raftId)?.id,
      ),
    isRaftMember: (raftId) => {
      const conf = o.raftMembers();
      return conf.voters.includes(raftId) || conf.learners.includes(raftId);
    },
  };
}
