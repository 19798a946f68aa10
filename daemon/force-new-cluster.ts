// `docker swarm init --force-new-cluster` on a manager whose swarm lost its majority of managers
// for good: the node's Raft log is rewritten so that this manager is the only member (every
// committed entry and the snapshot are kept: services, tasks, networks, secrets, nodes), and the
// manager starts again from it and elects itself. The other managers' node objects stay in the
// store (as unreachable managers) for the operator to demote and remove; their Raft members are
// out of the group for good, so an old manager that comes back with its old state is refused
// until it runs `docker swarm leave --force` and joins again.
//
// The manager must be stopped first (the log is rewritten closed); SwarmNode does that.

import { join } from 'node:path';
import type { Logger } from 'pino';
import type { InitRequest } from '../manager/engineapi/swarm-control.js';
import { forceNewCluster } from '../manager/raft/driver/force-new-cluster.js';
import { RAFT_KEY_FILE } from '../manager/replication/replicated-store.js';
import { resolveAdvertiseAddr } from './advertise-addr.js';
import type { SwarmMembership } from './node-state.js';

export interface RecoveryOptions {
  /** The node's swarm state directory (<data-root>/swarm): the Raft log is in its raft/. */
  readonly swarmDir: string;
  /** The node's membership as saved: a manager's, with its Raft member ID. */
  readonly state: SwarmMembership & { readonly raftId: number };
  readonly req: InitRequest;
  readonly logger: Logger;
  /** The swarm's unlock key while autolocked (the log's key file is wrapped with it). */
  readonly unlockKey?: Uint8Array;
}

/**
 * Rewrites the stopped manager's Raft log for a group of itself alone, and returns the
 * membership to save and start from: the request's addresses where it gives them (the recovered
 * manager may have moved), the saved ones otherwise, and itself as the only known manager.
 */
export async function rewriteAsNewCluster(o: RecoveryOptions): Promise<SwarmMembership> {
  const { state, req } = o;
  const listenAddr = req.listenAddr || state.listenAddr;
  const advertiseAddr =
    req.advertiseAddr !== undefined
      ? resolveAdvertiseAddr(req.advertiseAddr, listenAddr)
      : state.advertiseAddr;
  const plan = await forceNewCluster(join(o.swarmDir, 'raft'), {
    self: state.raftId,
    address: advertiseAddr,
    // The log is encrypted with the key the manager keeps beside its TLS key.
    storage: {
      keyFile: join(o.swarmDir, RAFT_KEY_FILE),
      ...(o.unlockKey !== undefined ? { unlockKey: o.unlockKey } : {}),
    },
  });
  o.logger.warn(
    {
      raftId: state.raftId,
      removedMembers: plan.removed,
      droppedUncommittedEntries: plan.dropped,
      advertiseAddr,
    },
    'force-new-cluster: the Raft group is now this manager alone (all committed state kept); ' +
      'the removed managers must `docker swarm leave --force` and join again',
  );
  return {
    ...state,
    listenAddr,
    advertiseAddr,
    managers: [{ nodeId: state.nodeId, addr: advertiseAddr }],
  };
}
