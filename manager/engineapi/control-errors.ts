// Refusals about this node's state and about forwarding, in the control layer's one shape
// (Refusal, controlapi/refusal.ts: a kind that fixes Docker's status, and Docker's message).
// New code throws what the factories make. The named subclasses remain because the daemon and
// test doubles construct them by name (`new NotInSwarmError()`) and forward.ts tells forward
// outcomes apart with instanceof; each takes its kind and text from one place. The membership
// refusals (swarm exists, not in a swarm to leave, a manager leaving) are controlapi's.

// The files, not controlapi's index: a worker's shoald loads these errors, not the rules.
import { notSwarmManager } from '../controlapi/membership-rules.js';
import { Refusal, unavailable, type RefusalKind } from '../controlapi/refusal.js';

/** Any call while the manager's keys are locked (Docker's 503). */
export function swarmLocked(): Refusal {
  return unavailable(
    'Swarm is encrypted and needs to be unlocked before it can be used. Please use "docker swarm unlock" to unlock it.',
    'SWARM_LOCKED',
  );
}

/** Manager-only calls on a worker (Docker's 503). */
export function notManager(): Refusal {
  return notSwarmManager();
}

/** Swarm calls on a node that is not in a swarm (Docker's 503). */
export function notInSwarm(): Refusal {
  return unavailable(
    'This node is not a swarm manager. Use "docker swarm init" or "docker swarm join" to connect this node to swarm and try again.',
    'NOT_IN_SWARM',
  );
}

/**
 * Docker's answer when the manager's Raft group has no leader (too few managers online): no
 * write can be made, and reads are only this manager's last copy (503; dockerd relays
 * swarmkit's text as it is, with its gRPC prefix).
 */
export function noLeader(): Refusal {
  return unavailable(
    "rpc error: code = Unknown desc = The swarm does not have a leader. It's possible that too few managers are online. Make sure more than half of the managers are online.",
    'NO_LEADER',
  );
}

type RefusalArgs = [kind: RefusalKind, message: string, code: string];

function argsOf(r: Refusal): RefusalArgs {
  return [r.kind, r.message, r.code];
}

/** A request with an argument the daemon cannot use, e.g. a bad join token (400). */
export class InvalidArgumentError extends Refusal {
  constructor(message: string) {
    super('invalid-argument', message);
    this.name = 'InvalidArgumentError';
  }
}

export class NotManagerError extends Refusal {
  constructor() {
    super(...argsOf(notManager()));
    this.name = 'NotManagerError';
  }
}

export class NotInSwarmError extends Refusal {
  constructor() {
    super(...argsOf(notInSwarm()));
    this.name = 'NotInSwarmError';
  }
}

export class NoLeaderError extends Refusal {
  constructor() {
    super(...argsOf(noLeader()));
    this.name = 'NoLeaderError';
  }
}

/**
 * A request forwarded to the leader reached no leader that could run it: none is known, its
 * connection could not be established, or the manager asked was no longer leading and refused
 * before running it. Nothing ran, so the request may be tried again (503 if it is not).
 */
export class LeaderNotReachedError extends Refusal {
  constructor(reason: string) {
    super('unavailable', `the request reached no leader: ${reason}`, 'NO_LEADER');
    this.name = 'LeaderNotReachedError';
  }
}

/**
 * A forwarded request whose answer was lost after it may have reached the leader (the
 * connection dropped, or the deadline passed): it may have been applied, so it is not sent
 * again; the client is told to look before retrying (503).
 */
export class ForwardOutcomeUnknownError extends Refusal {
  constructor(message: string) {
    super('unavailable', message, 'UNAVAILABLE');
    this.name = 'ForwardOutcomeUnknownError';
  }
}
