// A refusal: the control layer's answer when a request breaks a rule or a limit, with the
// HTTP status and the message Docker gives (swarmkit's gRPC errors are relayed by dockerd as
// "rpc error: code = <Code> desc = <text>", and shoal keeps that wording).

import { rpcMessage } from '../engineapi/errors.js';

export class Refusal extends Error {
  /** A stable name of the rule's kind, e.g. INVALID_ARGUMENT, POOL_OVERLAP. */
  readonly code: string;
  readonly statusCode: number;
  constructor(statusCode: number, code: string, message: string) {
    super(message);
    this.name = 'Refusal';
    this.statusCode = statusCode;
    this.code = code;
  }
}

/** 400 with swarmkit's InvalidArgument wording. */
export function invalidArgument(desc: string): Refusal {
  return new Refusal(400, 'INVALID_ARGUMENT', rpcMessage('InvalidArgument', desc));
}

/** 400 with dockerd's own wording (checks dockerd does before calling swarmkit). */
export function badRequest(message: string): Refusal {
  return new Refusal(400, 'INVALID_ARGUMENT', message);
}

/** 400 with swarmkit's FailedPrecondition wording (the cluster's state forbids it). */
export function failedPrecondition(desc: string): Refusal {
  return new Refusal(400, 'FAILED_PRECONDITION', rpcMessage('FailedPrecondition', desc));
}

/** 501: what swarm refuses to do at all (mode change, rename). */
export function unimplemented(desc: string): Refusal {
  return new Refusal(501, 'UNIMPLEMENTED', rpcMessage('Unimplemented', desc));
}

/** 409: the object exists already; `rpc` false for dockerd's own wording. */
export function alreadyExists(desc: string, rpc = true): Refusal {
  return new Refusal(409, 'ALREADY_EXISTS', rpc ? rpcMessage('AlreadyExists', desc) : desc);
}

/** 403: the request touches what users may not; `rpc` false for dockerd's own wording. */
export function permissionDenied(desc: string, rpc = true): Refusal {
  return new Refusal(403, 'PERMISSION_DENIED', rpc ? rpcMessage('PermissionDenied', desc) : desc);
}

/** 404: the object the request names is gone (dockerd's wording). */
export function notFound(message: string): Refusal {
  return new Refusal(404, 'NOT_FOUND', message);
}
