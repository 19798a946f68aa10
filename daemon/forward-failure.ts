// What a failed Control.Forward call means for the request it carried: whether a leader can
// have run it. The API retries only what certainly did not run (forward.ts) and never shows
// raw gRPC text ("14 UNAVAILABLE: No connection established…") to its clients.

import * as grpc from '@grpc/grpc-js';
import { ForwardOutcomeUnknownError, LeaderNotReachedError } from '../manager/engineapi/control-errors.js';
import { rpcMessage } from '../manager/engineapi/errors.js';

/** grpc-js's details when the call never left this process: no connection, no address. */
const NEVER_SENT = /^(No connection established|Name resolution failed)/;

/** Codes after which the leader may have run the request (its answer was lost or late). */
const MAYBE_RAN = new Set<number>([
  grpc.status.UNAVAILABLE,
  grpc.status.DEADLINE_EXCEEDED,
  grpc.status.CANCELLED,
  grpc.status.UNKNOWN,
  grpc.status.INTERNAL,
]);

function isServiceError(e: unknown): e is grpc.ServiceError {
  return e instanceof Error && typeof (e as { code?: unknown }).code === 'number';
}

/** Go's name for a gRPC code, as Docker prints it: DEADLINE_EXCEEDED → DeadlineExceeded. */
export function grpcCodeName(code: number): string {
  const name = grpc.status[code];
  if (name === undefined) return 'Unknown';
  return name
    .toLowerCase()
    .split('_')
    .map((w) => w.charAt(0).toUpperCase() + w.slice(1))
    .join('');
}

/** Maps a failed forward to `leader` into the error the API answers with. */
export function forwardFailure(e: unknown, leader: string): Error {
  if (!isServiceError(e)) return e instanceof Error ? e : new Error(String(e));
  const details = e.details || e.message;
  // The manager asked refused before running it: it no longer leads (an election happened).
  if (e.code === grpc.status.FAILED_PRECONDITION)
    return new LeaderNotReachedError(`${leader} is no longer the leader (${details})`);
  if (e.code === grpc.status.UNAVAILABLE && NEVER_SENT.test(details))
    return new LeaderNotReachedError(`the leader at ${leader} cannot be reached (${details})`);
  if (MAYBE_RAN.has(e.code)) {
    return new ForwardOutcomeUnknownError(
      rpcMessage(
        'Unavailable',
        `the leader at ${leader} stopped answering before it replied (${grpcCodeName(e.code)}: ${details}); ` +
          'the request may have been applied: check the current state before retrying',
      ),
    );
  }
  // Refused before it ran (identity, size, …): Docker's wording for a gRPC error.
  return Object.assign(new Error(rpcMessage(grpcCodeName(e.code), details)), {
    name: 'ForwardRefusedError',
    code: 'UNAVAILABLE',
  });
}
