// What the dispatcher tells agents besides their assignments: the managers they may connect
// to, the heartbeat period and the digest of the swarm's roots, read from the store (the first
// two may be overridden by the daemon).

import { rootsDigest } from '../../ca/cluster-roots.js';
import type { ReadTx } from '../store/read-tx.js';

export interface ManagerPeer {
  readonly nodeId: string;
  /** host:port of the manager's 2377 endpoint. */
  readonly addr: string;
}

/** Docker's default heartbeat period. */
export const DEFAULT_HEARTBEAT_PERIOD_MS = 5000;
/** Missed periods before a node counts as down. */
export const HEARTBEAT_GRACE_MULTIPLIER = 3;

/** Managers as the store knows them: nodes with the manager role and a Raft address, by node ID. */
export function managersFromStore(tx: ReadTx): ManagerPeer[] {
  return tx
    .find('nodes', 'role', 'manager')
    .flatMap((n) =>
      n.managerStatus !== undefined && n.managerStatus.addr !== ''
        ? [{ nodeId: n.id, addr: n.managerStatus.addr }]
        : [],
    )
    .sort((a, b) => (a.nodeId < b.nodeId ? -1 : a.nodeId > b.nodeId ? 1 : 0));
}

/** The cluster's heartbeat period, or Docker's default when there is no cluster object (yet). */
export function heartbeatPeriodFromStore(tx: ReadTx): number {
  const period = tx.list('clusters')[0]?.spec.dispatcher.heartbeatPeriod;
  return period !== undefined && Number.isSafeInteger(period) && period > 0
    ? period
    : DEFAULT_HEARTBEAT_PERIOD_MS;
}

/** How long after a heartbeat a node is marked down: three periods plus a margin for the network. */
export function heartbeatGrace(periodMs: number, extraMs = Math.min(periodMs, 1000)): number {
  return periodMs * HEARTBEAT_GRACE_MULTIPLIER + extraMs;
}

/** The digest of the roots the swarm trusts now ('' before there is a cluster object). */
export function rootsDigestFromStore(tx: ReadTx): string {
  const rootCA = tx.list('clusters')[0]?.rootCA;
  return rootCA === undefined ? '' : rootsDigest(rootCA.caCert, rootCA.rootRotation?.caCert);
}
