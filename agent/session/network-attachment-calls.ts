// The agent's calls for network attachments (`docker run --network` on an attachable overlay):
// made on the node's current session with the leader, their refusals turned into the HTTP
// status and message Docker's users get.

import * as grpc from '@grpc/grpc-js';
import {
  dispatcherServiceDefinition as def,
  newAttachNetworkRequest,
  newDetachNetworkRequest,
} from '../../api/wire/service.js';
import type { Connection } from './connection.js';
import { NetworkAttachmentError } from './errors.js';

export interface AttachNetworkCall {
  /** The network's ID, name or ID prefix, as the user gave it. */
  readonly network: string;
  readonly containerId?: string;
  /** An IPv4 address the user asked for (`--ip`). */
  readonly address?: string;
  readonly aliases?: readonly string[];
}

export interface AttachedNetwork {
  readonly attachmentId: string;
  readonly networkId: string;
  readonly networkName: string;
}

/** Docker's status for a refusal that came as a gRPC status. */
function httpStatusOf(code: number | undefined): number {
  switch (code) {
    case grpc.status.NOT_FOUND:
      return 404;
    case grpc.status.PERMISSION_DENIED:
      return 403;
    case grpc.status.INVALID_ARGUMENT:
    case grpc.status.FAILED_PRECONDITION:
    case grpc.status.OUT_OF_RANGE:
      return 400;
    default:
      return 503;
  }
}

function refused(e: unknown): NetworkAttachmentError {
  const err = e as Partial<grpc.ServiceError>;
  const code = typeof err.code === 'number' ? err.code : undefined;
  const message = typeof err.details === 'string' ? err.details : e instanceof Error ? e.message : String(e);
  return new NetworkAttachmentError(
    httpStatusOf(code),
    code === undefined || httpStatusOf(code) === 503 ? `no manager answered: ${message}` : message,
  );
}

function connected(conn: Connection | undefined): Connection {
  if (conn === undefined)
    throw new NetworkAttachmentError(
      503,
      'this node is not connected to a swarm manager; attaching to a swarm network needs one',
    );
  return conn;
}

export async function attachNetworkCall(
  conn: Connection | undefined,
  req: AttachNetworkCall,
): Promise<AttachedNetwork> {
  try {
    const res = await connected(conn).call(def.attachNetwork, (sessionId) =>
      newAttachNetworkRequest({
        sessionId,
        network: req.network,
        containerId: req.containerId ?? '',
        address: req.address ?? '',
        aliases: [...(req.aliases ?? [])],
      }),
    );
    return {
      attachmentId: res.attachmentId ?? '',
      networkId: res.networkId ?? '',
      networkName: res.networkName ?? '',
    };
  } catch (e: unknown) {
    if (e instanceof NetworkAttachmentError) throw e;
    throw refused(e);
  }
}

export async function detachNetworkCall(conn: Connection | undefined, attachmentId: string): Promise<void> {
  try {
    await connected(conn).call(def.detachNetwork, (sessionId) =>
      newDetachNetworkRequest({ sessionId, attachmentId }),
    );
  } catch (e: unknown) {
    if (e instanceof NetworkAttachmentError) throw e;
    throw refused(e);
  }
}
