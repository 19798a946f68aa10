// Errors a RaftNode gives its callers: each says what happened and what to do about it. Not
// being the leader and a dropped proposal are shared meanings: NotLeaderError and
// ProposalDroppedError in api/errors.ts.

import { RaftError } from '../errors.js';
import { StorageFailedError } from './storage-errors.js';

/** The request did not complete in time; whether a proposal took effect is unknown. */
export class RaftTimeoutError extends RaftError {
  readonly ms: number;
  constructor(what: string, ms: number) {
    super(
      'TIMEOUT',
      `${what} did not complete within ${ms} ms; its outcome is unknown (check the state before retrying)`,
    );
    this.name = 'RaftTimeoutError';
    this.ms = ms;
  }
}

/** The node stopped (shut down, or failed) before the request completed. */
export class NodeStoppedError extends RaftError {
  constructor(reason: string) {
    super('STOPPED', `raft node stopped: ${reason}`);
    this.name = 'NodeStoppedError';
  }
}

/** Too many proposals are waiting; the caller should back off. */
export class TooManyRequestsError extends RaftError {
  constructor(limit: number) {
    super('TOO_MANY_REQUESTS', `more than ${limit} proposals are waiting to commit; retry after a moment`);
    this.name = 'TooManyRequestsError';
  }
}

/** The one line a daemon logs before exiting on a RaftNode's fatal failure (see onFatal). */
export function fatalExitLine(e: Error): string {
  const what = e instanceof StorageFailedError ? 'raft storage failed' : 'raft node failed';
  return `${what} (${e.message}): exiting so the service manager restarts shoald`;
}

/** Logged when a peer refuses this member's Raft stream (PERMISSION_DENIED): what to do about it. */
export const REFUSED_BY_PEER =
  'raft transport: a peer refuses this manager: it is not a member of that Raft group any more ' +
  '(demoted, removed, or the swarm was recovered with `swarm init --force-new-cluster`); run ' +
  '`docker swarm leave --force`, then join the swarm again';
