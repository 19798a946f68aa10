// The dispatcher's side of network attachments (`docker run --network` on an attachable overlay,
// from any node): the control layer decides (manager/controlapi/network-attachment-rules.ts), the
// store commits, and a refusal travels back as its own gRPC status with Docker's message, so the
// node's API can answer the user as dockerd would.

import * as grpc from '@grpc/grpc-js';
import { generateId } from '../../api/objects/ids.js';
import { AttachmentRefusedError } from '../../api/wire/errors.js';
import {
  applyDecision,
  attachNetwork as decideAttach,
  detachNetwork as decideDetach,
  Refusal,
  type RefusalKind,
} from '../controlapi/index.js';
import type { MemoryStore } from '../store/index.js';

const STATUS_OF: Readonly<Record<RefusalKind, grpc.status>> = {
  'invalid-argument': grpc.status.INVALID_ARGUMENT,
  'failed-precondition': grpc.status.FAILED_PRECONDITION,
  'not-found': grpc.status.NOT_FOUND,
  'already-exists': grpc.status.ALREADY_EXISTS,
  conflict: grpc.status.ABORTED,
  'permission-denied': grpc.status.PERMISSION_DENIED,
  unimplemented: grpc.status.UNIMPLEMENTED,
  unavailable: grpc.status.UNAVAILABLE,
};

async function committed<T>(run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (e: unknown) {
    if (e instanceof Refusal) throw new AttachmentRefusedError(STATUS_OF[e.kind], e.message);
    throw e;
  }
}

export interface AttachRequest {
  readonly network: string;
  readonly containerId: string;
  readonly address: string;
  readonly aliases: readonly string[];
}

export interface Attached {
  readonly attachmentId: string;
  readonly networkId: string;
  readonly networkName: string;
}

/** Records the attachment task of a container on `nodeId`; resolves once committed. */
export function attachNetwork(
  store: MemoryStore,
  nodeId: string,
  req: AttachRequest,
  now: string,
): Promise<Attached> {
  const id = generateId();
  return committed(() =>
    store.update((tx): Attached => {
      applyDecision(tx, decideAttach(tx, { ...req, id, nodeId, now }));
      const networkId = tx.get('tasks', id)?.spec.networks[0]?.target ?? '';
      return {
        attachmentId: id,
        networkId,
        networkName: tx.get('networks', networkId)?.spec.name ?? '',
      };
    }),
  );
}

/** Deletes an attachment task of `nodeId`; resolves once committed. */
export function detachNetwork(store: MemoryStore, nodeId: string, attachmentId: string): Promise<void> {
  return committed(() =>
    store.update((tx) => {
      applyDecision(tx, decideDetach(tx, { nodeId, attachmentId }));
    }),
  );
}
