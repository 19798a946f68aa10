// The nodes removed from the swarm, listed on the Cluster object (removedNodes) as swarmkit
// keeps them: a removed node's certificate stays cryptographically valid until it expires, so
// every manager refuses its ID on every call, and the CA never certifies or records it again.
// Every path that removes a node records it here, in the same transaction that deletes it
// (before deleting it: its record says when its certificate expires).
//
// The list is bounded. An entry stays until every certificate the node may hold has expired:
// the later of its recorded certificate's notAfter and (removal time + the longer of the
// cluster's certificate validity and Docker's default, 90 days: a certificate issued before the
// setting was shortened), plus EXPIRY_GRACE_MS for clocks that disagree. Expired entries are
// pruned whenever a node is removed and by the leader's role loop (pruneRemovedNodes). Beyond
// that, the list holds at most MAX_REMOVED_NODES entries (a few hundred KiB on the Cluster
// object, which every cluster update replicates): when a removal would exceed it, the entries
// whose certificates expire soonest are dropped first (they have the least validity left; a
// dropped node's record is gone, so the dispatcher, the CA and Control still refuse it as
// unknown). Swarmkit prunes expired entries but has no size bound.

import { DEFAULT_NODE_CERT_EXPIRY_MS, parseNodeCertificate } from '../../ca/node-certificate.js';
import { CERT_BACKDATE_MS } from '../../ca/root-ca.js';
import type { ReadTx } from '../store/read-tx.js';
import type { WriteTx } from '../store/write-tx.js';
import type { Cluster, RemovedNode } from '../../api/objects/index.js';

/** Most removed nodes listed at once. */
export const MAX_REMOVED_NODES = 4096;
/** Kept past a certificate's expiry, for managers whose clocks are behind. */
export const EXPIRY_GRACE_MS = CERT_BACKDATE_MS;

/**
 * Lists `nodeId` as removed on the cluster object (once), pruning expired entries and keeping
 * the list within MAX_REMOVED_NODES; part of the caller's transaction. Call it before deleting
 * the node's record. Returns the IDs dropped to keep the bound (not the expired ones).
 */
export function markNodeRemoved(tx: WriteTx, nodeId: string, now: number = Date.now()): readonly string[] {
  const cluster = tx.list('clusters')[0];
  if (cluster === undefined) return [];
  const entry: RemovedNode = {
    id: nodeId,
    removedAt: now,
    expiresAt: certificatesExpireAt(tx, cluster, nodeId, now),
  };
  const all = entries(cluster, now);
  const kept = unexpired(all, now).filter((e) => e.id !== nodeId);
  const previous = all.find((e) => e.id === nodeId);
  kept.push(
    previous === undefined ? entry : { ...entry, expiresAt: Math.max(entry.expiresAt, previous.expiresAt) },
  );
  let evicted: string[] = [];
  if (kept.length > MAX_REMOVED_NODES) {
    kept.sort((a, b) => b.expiresAt - a.expiresAt || a.id.localeCompare(b.id));
    evicted = kept.splice(MAX_REMOVED_NODES).map((e) => e.id);
  }
  tx.update('clusters', { ...cluster, removedNodes: kept });
  return evicted;
}

/** Drops the entries whose certificates have all expired (by `now`); true if any were. */
export function pruneRemovedNodes(tx: WriteTx, now: number): boolean {
  const cluster = tx.list('clusters')[0];
  if (cluster === undefined || !hasExpiredEntries(cluster, now)) return false;
  tx.update('clusters', { ...cluster, removedNodes: unexpired(entries(cluster, now), now) });
  return true;
}

/** Whether any entry of the cluster's list has expired by `now` (a cheap check before a write). */
export function hasExpiredEntries(cluster: Pick<Cluster, 'removedNodes'>, now: number): boolean {
  return entries(cluster, now).some((e) => expired(e, now));
}

/** Whether the cluster lists `nodeId` as removed. */
export function isNodeRemoved(tx: ReadTx, nodeId: string): boolean {
  const cluster = tx.list('clusters')[0];
  return cluster !== undefined && removedNodeSet(cluster).has(nodeId);
}

/** Stored objects are frozen and replaced on change: one set per version of the list. */
const sets = new WeakMap<readonly RemovedNode[], ReadonlySet<string>>();
const NONE: ReadonlySet<string> = new Set();

/** The removed node IDs of a cluster object, as a set (cached per stored list). */
export function removedNodeSet(cluster: Pick<Cluster, 'removedNodes'>): ReadonlySet<string> {
  const list = cluster.removedNodes;
  if (list === undefined || list.length === 0) return NONE;
  let set = sets.get(list);
  if (set === undefined) {
    set = new Set(entries(cluster, 0).map((e) => e.id));
    sets.set(list, set);
  }
  return set;
}

/**
 * The list's entries. A list written before entries carried their expiry holds bare node IDs:
 * each is read as removed at `now`, for the default validity (so it is kept, never dropped early).
 */
function entries(cluster: Pick<Cluster, 'removedNodes'>, now: number): readonly RemovedNode[] {
  const list = cluster.removedNodes ?? [];
  if (!list.some((e: RemovedNode | string) => typeof e === 'string')) return list;
  return list.map((e: RemovedNode | string) =>
    typeof e === 'string' ? { id: e, removedAt: now, expiresAt: now + DEFAULT_NODE_CERT_EXPIRY_MS } : e,
  );
}

function expired(e: RemovedNode, now: number): boolean {
  // A malformed expiry (not a finite number) never expires: the entry then goes only by the bound.
  return Number.isFinite(e.expiresAt) && e.expiresAt + EXPIRY_GRACE_MS <= now;
}

function unexpired(list: readonly RemovedNode[], now: number): RemovedNode[] {
  return list.filter((e) => !expired(e, now));
}

/** When every certificate node `nodeId` may hold has expired (see the top of this file). */
function certificatesExpireAt(tx: ReadTx, cluster: Cluster, nodeId: string, now: number): number {
  const setting = cluster.spec.caConfig.nodeCertExpiry;
  const validity = Math.max(
    Number.isFinite(setting) ? setting : DEFAULT_NODE_CERT_EXPIRY_MS,
    DEFAULT_NODE_CERT_EXPIRY_MS,
  );
  let expiresAt = now + validity;
  const pem = tx.get('nodes', nodeId)?.certificate?.certificate;
  if (pem) {
    try {
      expiresAt = Math.max(expiresAt, parseNodeCertificate(pem).notAfter.getTime());
    } catch {
      // An unreadable recorded certificate: the validity bound above stands.
    }
  }
  return expiresAt;
}
