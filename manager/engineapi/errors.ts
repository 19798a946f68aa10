// HTTP errors in Docker's shape ({"message": "..."}) and the mapping from everything the API
// can catch to a status code: the control layer's refusals (their kind fixes the status, their
// message is Docker's), the store's errors, the daemon's, and schema failures.

import { status as grpcStatus } from '@grpc/grpc-js';
import type { DockerErrorResponse } from '../../api/docker/error-response.js';
import { ClusterError, NotLeaderError, ProposalDroppedError } from '../../api/errors.js';
// The files, not the indexes: a worker's shoald loads these errors, not the rules or the store.
import { grpcWording, Refusal } from '../controlapi/refusal.js';
import { storeRefusal } from '../controlapi/store-refusals.js';
import {
  ExistsError,
  InvalidObjectError,
  NotFoundError,
  ProposalAbortedError,
  ProposalTimeoutError,
} from '../store/errors.js';

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

/** dockerd's wording of a relayed gRPC error (the control layer's grpcWording). */
export const rpcMessage = grpcWording;

/**
 * Status codes by the `code` of errors the daemon throws that are not Refusals (e.g. a refused
 * forward). Anything else with a numeric `statusCode` in 400..599 keeps it.
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

/** Docker's error body (api/docker/error-response.ts) for a failure's message. */
export function errorBody(message: string): DockerErrorResponse {
  return { message };
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
  const refusal = e instanceof Refusal ? e : storeRefusal(e);
  if (refusal !== undefined) return { statusCode: refusal.statusCode, message: refusal.message };
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
  // A shared refusal (api/errors.ts) to retry later, e.g. the dispatcher's "not the leader".
  if (e instanceof ClusterError && e.grpcStatus === grpcStatus.UNAVAILABLE) {
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
