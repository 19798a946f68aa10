// Errors of the agent's session with the managers, each with a stable `code`.

/** One session attempt ended (the manager went away, refused, or sent something malformed). */
export class SessionFailedError extends Error {
  readonly code = 'SESSION_FAILED';
  /** The manager the session was with. */
  readonly manager: string;
  /** gRPC status, when the failure came as one. */
  readonly grpcStatus: number | undefined;
  constructor(manager: string, message: string, grpcStatus?: number) {
    super(`session with manager ${manager} ended: ${message}`);
    this.name = 'SessionFailedError';
    this.manager = manager;
    this.grpcStatus = grpcStatus;
  }
}

/** The managers refused the node: it was removed from the swarm. The session stops for good. */
export class RemovedFromSwarmError extends Error {
  readonly code = 'REMOVED_FROM_SWARM';
  readonly manager: string;
  constructor(manager: string, detail: string) {
    super(
      `this node was refused by manager ${manager} (${detail}): it is no longer part of the swarm; join it again`,
    );
    this.name = 'RemovedFromSwarmError';
    this.manager = manager;
  }
}

/**
 * A network attachment the managers refused or could not make: `httpStatus` is what Docker
 * answers for it (404 unknown network, 403 not attachable, 400 a bad request, 503 no manager).
 */
export class NetworkAttachmentError extends Error {
  readonly code = 'NETWORK_ATTACHMENT';
  readonly httpStatus: number;
  constructor(httpStatus: number, message: string) {
    super(message);
    this.name = 'NetworkAttachmentError';
    this.httpStatus = httpStatus;
  }
}
