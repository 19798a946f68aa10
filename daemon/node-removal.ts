// How a node learns that the managers removed it (`docker node rm`): a manager refuses its call
// with NodeRemovedError (api/errors.ts). SwarmNode then stops everything until `swarm leave`.

import * as grpc from '@grpc/grpc-js';
import type { ClusterErrorCode } from '../api/errors.js';
import { CaCallError, remoteErrorCode } from '../ca/errors.js';

/** Swarm.Error once the managers removed this node (`docker node rm`), until `swarm leave`. */
export const REMOVED_FROM_SWARM_ERROR =
  'this node was removed from the swarm; run `docker swarm leave`, then join again';

const NODE_REMOVED: ClusterErrorCode = 'NODE_REMOVED';

/**
 * Whether a manager refused a call because this node was removed: PERMISSION_DENIED with the
 * NODE_REMOVED code in the refusal's trailer (a CA call's CaCallError, or a gRPC error as
 * grpc-js hands it over). Told by the code, never by the wording: other PERMISSION_DENIED
 * refusals (a worker on a manager method, a demoted manager) are not removals.
 */
export function isRemovedRefusal(e: unknown): boolean {
  if (e instanceof CaCallError) {
    return e.grpcStatus === grpc.status.PERMISSION_DENIED && e.remoteCode === NODE_REMOVED;
  }
  const err = e as Partial<grpc.ServiceError> | undefined;
  return (
    err?.code === grpc.status.PERMISSION_DENIED &&
    err.metadata instanceof grpc.Metadata &&
    remoteErrorCode(err.metadata) === NODE_REMOVED
  );
}
