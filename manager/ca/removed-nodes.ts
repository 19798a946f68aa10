// The nodes removed from the swarm, listed on the Cluster object (removedNodes) as swarmkit
// keeps them: a removed node's certificate stays cryptographically valid until it expires, so
// every manager refuses its ID on every call, and the CA never certifies or records it again.
// Every path that removes a node records it here, in the same transaction that deletes it.

import type { ReadTx } from '../store/read-tx.js';
import type { WriteTx } from '../store/write-tx.js';
import type { Cluster } from '../store/objects/index.js';

/** Lists `nodeId` as removed on the cluster object (once); part of the caller's transaction. */
export function markNodeRemoved(tx: WriteTx, nodeId: string): void {
  const cluster = tx.list('clusters')[0];
  if (cluster === undefined) return;
  const removed = cluster.removedNodes ?? [];
  if (removed.includes(nodeId)) return;
  tx.update('clusters', { ...cluster, removedNodes: [...removed, nodeId] });
}

/** Whether the cluster lists `nodeId` as removed. */
export function isNodeRemoved(tx: ReadTx, nodeId: string): boolean {
  const cluster = tx.list('clusters')[0];
  return cluster !== undefined && removedNodeSet(cluster).has(nodeId);
}

/** Stored objects are frozen and replaced on change: one set per version of the list. */
const sets = new WeakMap<readonly string[], ReadonlySet<string>>();
const NONE: ReadonlySet<string> = new Set();

/** The removed node IDs of a cluster object, as a set (cached per stored list). */
export function removedNodeSet(cluster: Pick<Cluster, 'removedNodes'>): ReadonlySet<string> {
  const list = cluster.removedNodes;
  if (list === undefined || list.length === 0) return NONE;
  let set = sets.get(list);
  if (set === undefined) {
    set = new Set(list);
    sets.set(list, set);
  }
  return set;
}
