// HTTP errors in Docker's shape ({"message": "..."}) and the mapping from everything the API
// can catch (store refusals, SwarmControl errors, schema failures) to a status code.

import { NotLeaderError, ProposalDroppedError } from '../../api/errors.js';
import {
  ConflictError,
  ExistsError,
  InvalidObjectError,
  NameConflictError,
  NotFoundError,
  ProposalAbortedError,
  ProposalTimeoutError,
} from '../store/index.js';

/** An error with the status code and message the API answers with. */
export class ApiError extends Error {
  readonly code: string;
  readonly statusCode: number;
  constructor(statusCode: number, message: string, code = 'API_ERROR') {
    super(message);
    this.name = 'ApiError';
    this.statusCode = statusCode;
    this.code = code;
  }
}

/** 400: the request is malformed or names an invalid value. */
export function invalidParameter(message: string): ApiError {
  return new ApiError(400, message, 'INVALID_PARAMETER');
}

/** 404: the object the request names does not exist. */
export function notFound(message: string): ApiError {
  return new ApiError(404, message, 'NOT_FOUND');
}

/** 409: the request conflicts with the current state (name taken, stale version). */
export function conflict(message: string): ApiError {
  return new ApiError(409, message, 'CONFLICT');
}

/** 501: Docker's answer for things swarm refuses to do (mode change, rename). */
export function notImplemented(message: string): ApiError {
  return new ApiError(501, message, 'NOT_IMPLEMENTED');
}

/**
 * Docker relays errors from swarmkit's gRPC API with their code in the text; shoal keeps the
 * exact wording so scripts that match Docker's messages keep working.
 */
export function rpcMessage(code: string, desc: string): string {
  return `rpc error: code = ${code} desc = ${desc}`;
}

/**
 * Status codes by the `code` of errors the daemon's SwarmControl throws (see control-errors.ts
 * and swarm-control.ts). Anything else with a numeric `statusCode` in 400..599 keeps it.
 */
const STATUS_BY_CODE: Readonly<Record<string, number>> = {
  NOT_MANAGER: 503,
  NOT_IN_SWARM: 503,
  SWARM_EXISTS: 503,
  SWARM_LOCKED: 503,
  UNAVAILABLE: 503,
  NO_LEADER: 503,
  INVALID_ARGUMENT: 400,
  INVALID_PARAMETER: 400,
  FAILED_PRECONDITION: 400,
  NOT_FOUND: 404,
  NAME_CONFLICT: 409,
  CONFLICT: 409,
  EXISTS: 409,
  NOT_IMPLEMENTED: 501,
};

export interface HttpFailure {
  readonly statusCode: number;
  readonly message: string;
}

function ownCode(e: Error): string | undefined {
  const code = (e as { code?: unknown }).code;
  return typeof code === 'string' ? code : undefined;
}

function ownStatus(e: Error): number | undefined {
  const status = (e as { statusCode?: unknown }).statusCode;
  return typeof status === 'number' && Number.isInteger(status) && status >= 400 && status <= 599
    ? status
    : undefined;
}

/** Maps any thrown value to the status and message the client sees. */
export function toHttpFailure(e: unknown): HttpFailure {
  if (!(e instanceof Error)) return { statusCode: 500, message: String(e) };
  if (e instanceof ApiError) return { statusCode: e.statusCode, message: e.message };
  if (e instanceof ConflictError) {
    // Docker answers a stale ?version= with swarmkit's "update out of sequence" (as a 500);
    // shoal keeps the wording and uses the status that says what happened.
    return { statusCode: 409, message: rpcMessage('Unknown', 'update out of sequence') };
  }
  if (e instanceof NameConflictError) {
    return {
      statusCode: 409,
      message: rpcMessage(
        'AlreadyExists',
        `name conflicts with an existing object: ${e.table === 'services' ? 'service' : e.table.replace(/s$/, '')} ${e.value} already exists`,
      ),
    };
  }
  if (e instanceof NotFoundError) return { statusCode: 404, message: e.message };
  if (e instanceof ExistsError) return { statusCode: 409, message: e.message };
  if (e instanceof InvalidObjectError) return { statusCode: 400, message: e.message };
  if (e instanceof NotLeaderError) return { statusCode: 503, message: e.message };
  if (
    e instanceof ProposalDroppedError ||
    e instanceof ProposalTimeoutError ||
    e instanceof ProposalAbortedError
  ) {
    return { statusCode: 503, message: e.message };
  }
  const validation = (e as { validation?: unknown }).validation;
  if (validation !== undefined) return { statusCode: 400, message: e.message };
  const status = ownStatus(e);
  if (status !== undefined) return { statusCode: status, message: e.message };
  const code = ownCode(e);
  const mapped = code === undefined ? undefined : STATUS_BY_CODE[code];
  return { statusCode: mapped ?? 500, message: e.message };
}
