// Errors a SwarmControl (swarm-control.ts) throws for swarm-state refusals, with Docker's
// wording and a stable `code` the API maps to an HTTP status (errors.ts). The daemon's
// SwarmControl throws them too.

/** init/join on a node that is already in a swarm (HTTP 503, as Docker). */
export class SwarmExistsError extends Error {
  readonly code = 'SWARM_EXISTS';
  constructor() {
    super(
      'This node is already part of a swarm. Use "docker swarm leave" to leave this swarm and join another one.',
    );
    this.name = 'SwarmExistsError';
  }
}

/** leave on a node that is in no swarm (HTTP 503, as Docker). */
export class NotInSwarmLeaveError extends Error {
  readonly code = 'NOT_IN_SWARM';
  constructor() {
    super('This node is not part of a swarm');
    this.name = 'NotInSwarmLeaveError';
  }
}

/** leave without force on a manager (HTTP 503, Docker's wording for the last manager). */
export class ManagerLeaveRefusedError extends Error {
  readonly code = 'UNAVAILABLE';
  constructor() {
    super(
      'You are attempting to leave the swarm on a node that is participating as a manager. Removing the last manager erases all current state of the swarm. Use `--force` to ignore this message. ',
    );
    this.name = 'ManagerLeaveRefusedError';
  }
}

/** Any call while the manager's keys are locked (HTTP 503, as Docker). */
export class SwarmLockedError extends Error {
  readonly code = 'SWARM_LOCKED';
  constructor() {
    super(
      'Swarm is encrypted and needs to be unlocked before it can be used. Please use "docker swarm unlock" to unlock it.',
    );
    this.name = 'SwarmLockedError';
  }
}

/** A request the control refuses because of the cluster's state (HTTP 400, gRPC FailedPrecondition). */
export class FailedPreconditionError extends Error {
  readonly code = 'FAILED_PRECONDITION';
  constructor(message: string) {
    super(message);
    this.name = 'FailedPreconditionError';
  }
}

/** A request with an argument the control cannot use, e.g. a bad join token (HTTP 400). */
export class InvalidArgumentError extends Error {
  readonly code = 'INVALID_ARGUMENT';
  constructor(message: string) {
    super(message);
    this.name = 'InvalidArgumentError';
  }
}

/** Docker's error for manager-only calls on a worker (HTTP 503). */
export class NotManagerError extends Error {
  readonly code = 'NOT_MANAGER';
  constructor() {
    super(
      "This node is not a swarm manager. Worker nodes can't be used to view or modify cluster state. Please run this command on a manager node or promote the current node to a manager.",
    );
    this.name = 'NotManagerError';
  }
}

/** Docker's error for swarm calls on a node that is not in a swarm (HTTP 503). */
export class NotInSwarmError extends Error {
  readonly code = 'NOT_IN_SWARM';
  constructor() {
    super(
      'This node is not a swarm manager. Use "docker swarm init" or "docker swarm join" to connect this node to swarm and try again.',
    );
    this.name = 'NotInSwarmError';
  }
}

/**
 * Docker's answer when the manager's Raft group has no leader (too few managers online): no
 * write can be made, and reads are only this manager's last copy (HTTP 503; dockerd relays
 * swarmkit's text as it is, with its gRPC prefix).
 */
export class NoLeaderError extends Error {
  readonly code = 'NO_LEADER';
  constructor() {
    super(
      "rpc error: code = Unknown desc = The swarm does not have a leader. It's possible that too few managers are online. Make sure more than half of the managers are online.",
    );
    this.name = 'NoLeaderError';
  }
}

/**
 * A request forwarded to the leader reached no leader that could run it: none is known, its
 * connection could not be established, or the manager asked was no longer leading and refused
 * before running it. Nothing ran, so the request may be tried again (HTTP 503 if it is not).
 */
export class LeaderNotReachedError extends Error {
  readonly code = 'NO_LEADER';
  constructor(reason: string) {
    super(`the request reached no leader: ${reason}`);
    this.name = 'LeaderNotReachedError';
  }
}

/**
 * A forwarded request whose answer was lost after it may have reached the leader (the
 * connection dropped, or the deadline passed): it may have been applied, so it is not sent
 * again; the client is told to look before retrying (HTTP 503).
 */
export class ForwardOutcomeUnknownError extends Error {
  readonly code = 'UNAVAILABLE';
  constructor(message: string) {
    super(message);
    this.name = 'ForwardOutcomeUnknownError';
  }
}
