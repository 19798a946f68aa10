// A refusal: the control layer's answer when a request breaks a rule or a limit. One shape for
// every rule: a kind (what sort of "no" it is, which fixes Docker's HTTP status) and the very
// message a Docker CLI user sees. dockerd relays swarmkit's gRPC errors as "rpc error: code =
// <Code> desc = <text>"; the rules that swarmkit holds build that wording here, so no
// transport ever composes it. A new rule needs a factory call, never a new class.

/** What sort of refusal, as swarmkit's gRPC codes and dockerd's error kinds say it. */
export type RefusalKind =
  | 'invalid-argument'
  | 'failed-precondition'
  | 'not-found'
  | 'already-exists'
  | 'conflict'
  | 'permission-denied'
  | 'unimplemented'
  | 'unavailable';

/** Docker's HTTP status for each kind (dockerd's errdefs mapping). */
const HTTP_STATUS: Readonly<Record<RefusalKind, number>> = {
  'invalid-argument': 400,
  'failed-precondition': 400,
  'not-found': 404,
  'already-exists': 409,
  conflict: 409,
  'permission-denied': 403,
  unimplemented: 501,
  unavailable: 503,
};

/** The stable code of a kind when the rule names none of its own (INVALID_ARGUMENT, …). */
function kindCode(kind: RefusalKind): string {
  return kind.toUpperCase().replace(/-/g, '_');
}

export class Refusal extends Error {
  readonly kind: RefusalKind;
  /** A stable name of the rule, e.g. INVALID_ARGUMENT, POOL_OVERLAP, SWARM_EXISTS. */
  readonly code: string;
  constructor(kind: RefusalKind, message: string, code: string = kindCode(kind)) {
    super(message);
    this.name = 'Refusal';
    this.kind = kind;
    this.code = code;
  }

  /** Docker's HTTP status for this refusal. */
  get statusCode(): number {
    return HTTP_STATUS[this.kind];
  }
}

/**
 * How dockerd shows an error it relays from swarmkit's gRPC API; shoal keeps the wording so
 * scripts that match Docker's messages keep working.
 */
export function grpcWording(code: string, desc: string): string {
  return `rpc error: code = ${code} desc = ${desc}`;
}

/** 400 with swarmkit's InvalidArgument wording. */
export function invalidArgument(desc: string): Refusal {
  return new Refusal('invalid-argument', grpcWording('InvalidArgument', desc));
}

/** 400 with dockerd's own wording (checks dockerd does before calling swarmkit). */
export function badRequest(message: string): Refusal {
  return new Refusal('invalid-argument', message);
}

/** 400 with swarmkit's FailedPrecondition wording (the cluster's state forbids it). */
export function failedPrecondition(desc: string): Refusal {
  return new Refusal('failed-precondition', grpcWording('FailedPrecondition', desc));
}

/** 501: what swarm refuses to do at all (mode change, rename); `rpc` false for dockerd's wording. */
export function unimplemented(desc: string, rpc = true): Refusal {
  return new Refusal('unimplemented', rpc ? grpcWording('Unimplemented', desc) : desc);
}

/** 409: the object exists already; `rpc` false for dockerd's own wording. */
export function alreadyExists(desc: string, rpc = true): Refusal {
  return new Refusal('already-exists', rpc ? grpcWording('AlreadyExists', desc) : desc);
}

/** 409: the request does not fit the current state (a stale version, a swarm not locked). */
export function conflict(message: string): Refusal {
  return new Refusal('conflict', message);
}

/** 403: the request touches what users may not; `rpc` false for dockerd's own wording. */
export function permissionDenied(desc: string, rpc = true): Refusal {
  return new Refusal('permission-denied', rpc ? grpcWording('PermissionDenied', desc) : desc);
}

/** 404: the object the request names is gone (dockerd's wording). */
export function notFound(message: string): Refusal {
  return new Refusal('not-found', message);
}

/** 503: this node cannot serve the request in its state (not in a swarm, locked, no leader). */
export function unavailable(message: string, code?: string): Refusal {
  return new Refusal('unavailable', message, code);
}
