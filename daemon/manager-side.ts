// The manager's part of a node: everything shoald needs only while this node is a manager (the
// manager itself: Raft, the store, the CA, the dispatcher, the leader loops, the dashboard; a
// new swarm's objects; the Raft data key under autolock; disaster recovery). A worker never
// loads it: SwarmNode imports it with `loadManagerSide()` when the node inits, joins as a
// manager, is promoted or restarts as one, so a worker's shoald holds none of that code.

import type { Logger } from 'pino';
import type { NodeCredentials } from '../ca/ca-client.js';
import type { ForwardedRequest, ForwardedResponse } from '../manager/engineapi/swarm-control.js';
import { Manager } from '../manager/manager.js';
import type { ManagerMetrics } from '../manager/metrics/manager-metrics.js';
import { fatalExitLine } from '../manager/raft/driver/errors.js';
import { RAFT_KEY_FILE } from '../manager/replication/replicated-store.js';
import { dashboardOption, type DaemonConfig } from './config.js';
import type { SwarmMembership } from './node-state.js';

export { createSwarmObjects } from '../manager/swarm-init-objects.js';
export { rewriteAsNewCluster } from './force-new-cluster.js';
export { isSwarmLocked, openManagerKeys } from './swarm-lock.js';
export { RAFT_KEY_FILE };

export interface NodeManagerOptions {
  readonly config: DaemonConfig;
  /** <data-root>/swarm: the Raft log and its data key are kept there. */
  readonly swarmDir: string;
  readonly state: SwarmMembership;
  readonly credentials: NodeCredentials;
  readonly raft: { bootstrap: true } | { join: ReadonlyMap<number, string> } | { resume: true };
  readonly unlockKey?: string;
  readonly runApiRequest: (req: ForwardedRequest) => Promise<ForwardedResponse>;
  readonly logger: Logger;
  readonly tickMs?: number;
  readonly metrics?: ManagerMetrics;
  /** Autolock turned on or off, or the key rotated ('' when off). */
  readonly onUnlockKey: (key: string, dataKey: Uint8Array) => Promise<void>;
  /** The Raft node failed for good (e.g. disk full); default: log and exit non-zero. */
  readonly onRaftFatal?: (e: Error) => void;
}

/** Starts this node's manager. */
export async function startNodeManager(o: NodeManagerOptions): Promise<Manager> {
  const manager = await Manager.start({
    raftId: o.state.raftId!,
    dataDir: o.swarmDir,
    listenAddr: o.state.listenAddr,
    advertiseAddr: o.state.advertiseAddr,
    credentials: o.credentials,
    raft: o.raft,
    runApiRequest: o.runApiRequest,
    logger: o.logger,
    ...dashboardOption(o.config),
    ...(o.tickMs !== undefined ? { tickMs: o.tickMs } : {}),
    ...(o.unlockKey !== undefined ? { unlockKey: o.unlockKey } : {}),
    ...(o.metrics !== undefined ? { metrics: o.metrics } : {}),
    onUnlockKey: o.onUnlockKey,
  });
  // Never half-alive: the service manager restarts shoald, which reloads the log from disk.
  manager.replicated.raft.onFatal((e) => {
    if (o.onRaftFatal) return o.onRaftFatal(e);
    o.logger.child({ component: 'swarm' }).fatal(fatalExitLine(e));
    process.exit(1);
  });
  return manager;
}
