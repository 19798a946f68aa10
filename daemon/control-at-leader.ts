// The Control calls a node makes at the managers' leader while it joins or leaves the Raft group:
// it starts at any manager, follows the leader a follower names, and waits out elections.

import * as grpc from '@grpc/grpc-js';
import type { Logger } from 'pino';
import type { NodeCredentials } from '../ca/ca-client.js';
import { NODE_CHANNEL_OPTIONS, nodeChannelCredentials } from '../ca/tls-credentials.js';
import { withControlClient, type ControlClient } from '../manager/control/control-client.js';
import { SwarmStateError } from './swarm-state-error.js';

/** Asks the manager at `target` (or the leader it names) to add us to the Raft group. */
export function joinRaftGroup(
  target: string,
  creds: NodeCredentials,
  raftId: number,
  advertiseAddr: string,
): Promise<Map<number, string>> {
  return atLeader(target, creds, "join the managers' Raft group", (client) =>
    client.joinRaft(raftId, advertiseAddr, creds.nodeId, 30_000),
  );
}

/**
 * Makes a Control call at the leader: starts at `target`, follows the leader a follower names,
 * and retries while there is none (an election) or it cannot be reached.
 */
export async function atLeader<T>(
  target: string,
  creds: NodeCredentials,
  what: string,
  call: (client: ControlClient) => Promise<T>,
): Promise<T> {
  const channel = nodeChannelCredentials(creds);
  let addr = target;
  for (let attempt = 0; attempt < 5; attempt++) {
    try {
      return await withControlClient(addr, channel, NODE_CHANNEL_OPTIONS, call);
    } catch (e: unknown) {
      const err = e as grpc.ServiceError;
      const leader = /the leader is member \d+ at (\S+)$/.exec(err.details ?? '')?.[1];
      if (err.code === grpc.status.FAILED_PRECONDITION && leader) {
        addr = leader;
        continue;
      }
      if (err.code === grpc.status.FAILED_PRECONDITION || err.code === grpc.status.UNAVAILABLE) {
        await new Promise((r) => setTimeout(r, 500));
        continue;
      }
      throw e;
    }
  }
  throw new SwarmStateError('JOIN_FAILED', 500, `could not ${what} through ${target}: no leader answered`);
}

/**
 * Best effort, after a manager's join failed once the leader had added it: takes its learner
 * out of the Raft group again (nobody else would: the node forgets its Raft ID). The leader's
 * role loop removes a member whose node is removed later anyway.
 */
export async function leaveAbandonedRaftJoin(
  target: string,
  joined: { readonly raftId: number; readonly creds: NodeCredentials },
  log: Pick<Logger, 'info' | 'warn'>,
): Promise<void> {
  await atLeader(target, joined.creds, "leave the managers' Raft group", (client) =>
    client.leaveRaft(joined.raftId, 10_000),
  ).then(
    () => log.info({ raftId: joined.raftId }, 'join abandoned: left the Raft group'),
    (e: unknown) =>
      log.warn(
        { raftId: joined.raftId, err: e instanceof Error ? e.message : String(e) },
        'join abandoned: could not leave the Raft group; `docker node demote` the node from a manager',
      ),
  );
}
