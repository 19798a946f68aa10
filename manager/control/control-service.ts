// The Control gRPC service (proto/control.proto) on a manager: runs forwarded API requests on
// the leader, and adds/removes managers to/from the Raft group. Callers must be managers now:
// the authorizer checks the certificate against the store on every call (removed, demoted and
// unknown nodes are refused), and a manager joins or leaves the Raft group only as itself.

import * as grpc from '@grpc/grpc-js';
import type { Logger } from 'pino';
import { shoal } from '../../proto/gen/control.js';
import type { ForwardedRequest, ForwardedResponse } from '../engineapi/swarm-control.js';
import type { IssuedCertificate } from '../ca/ca-backend.js';
import { grpcStatusOf, NodeDemotedError, UnknownNodeError } from '../../ca/errors.js';
import { NODE_ROLES, type NodeRole } from '../../api/objects/node.js';
import { NotLeaderError } from '../../api/errors.js';
import type { RaftNode } from '../raft/driver/raft-node.js';

const pb = shoal.control;

/** Longest advertise address a joining manager may give (host:port). */
const MAX_ADDR_LENGTH = 512;
/** Longest node ID in a certificate record (swarm IDs have 25 characters). */
const MAX_NODE_ID_LENGTH = 64;
/** Largest PEM certificate or CSR in a certificate record. */
const MAX_PEM_LENGTH = 64 * 1024;

function enc<T>(e: (m: T) => { finish(): Uint8Array }): (m: T) => Buffer {
  return (m) => {
    const b = e(m).finish();
    return Buffer.from(b.buffer, b.byteOffset, b.byteLength);
  };
}

export const controlServiceDefinition = {
  forward: {
    path: '/shoal.control.Control/Forward',
    requestStream: false,
    responseStream: false,
    requestSerialize: enc<shoal.control.ForwardRequest>((m) => pb.ForwardRequest.encode(m)),
    requestDeserialize: (b: Buffer) => pb.ForwardRequest.decode(b),
    responseSerialize: enc<shoal.control.ForwardResponse>((m) => pb.ForwardResponse.encode(m)),
    responseDeserialize: (b: Buffer) => pb.ForwardResponse.decode(b),
  },
  joinRaft: {
    path: '/shoal.control.Control/JoinRaft',
    requestStream: false,
    responseStream: false,
    requestSerialize: enc<shoal.control.JoinRaftRequest>((m) => pb.JoinRaftRequest.encode(m)),
    requestDeserialize: (b: Buffer) => pb.JoinRaftRequest.decode(b),
    responseSerialize: enc<shoal.control.JoinRaftResponse>((m) => pb.JoinRaftResponse.encode(m)),
    responseDeserialize: (b: Buffer) => pb.JoinRaftResponse.decode(b),
  },
  leaveRaft: {
    path: '/shoal.control.Control/LeaveRaft',
    requestStream: false,
    responseStream: false,
    requestSerialize: enc<shoal.control.LeaveRaftRequest>((m) => pb.LeaveRaftRequest.encode(m)),
    requestDeserialize: (b: Buffer) => pb.LeaveRaftRequest.decode(b),
    responseSerialize: enc<shoal.control.LeaveRaftResponse>((m) => pb.LeaveRaftResponse.encode(m)),
    responseDeserialize: (b: Buffer) => pb.LeaveRaftResponse.decode(b),
  },
  recordCertificate: {
    path: '/shoal.control.Control/RecordCertificate',
    requestStream: false,
    responseStream: false,
    requestSerialize: enc<shoal.control.RecordCertificateRequest>((m) =>
      pb.RecordCertificateRequest.encode(m),
    ),
    requestDeserialize: (b: Buffer) => pb.RecordCertificateRequest.decode(b),
    responseSerialize: enc<shoal.control.RecordCertificateResponse>((m) =>
      pb.RecordCertificateResponse.encode(m),
    ),
    responseDeserialize: (b: Buffer) => pb.RecordCertificateResponse.decode(b),
  },
} satisfies grpc.ServiceDefinition;

export interface ControlServiceDeps {
  readonly raft: RaftNode;
  /** Runs an API request locally (the leader's HTTP API, in-process). */
  readonly runApiRequest: (req: ForwardedRequest) => Promise<ForwardedResponse>;
  /**
   * The caller's node ID if it may call manager methods now: a manager certificate of this
   * cluster AND a node the store has as a manager, not removed (CallerAuthorizer). Throws an
   * error carrying its gRPC status (`grpcStatus`, or a numeric `code`) otherwise; an
   * UnknownNodeError on a follower is answered "not the leader" (its store may lag).
   */
  readonly authorizeManager: (call: grpc.ServerUnaryCall<unknown, unknown>) => { readonly nodeId: string };
  /** The Raft member ID the store records for a manager node (Node.managerStatus), if any. */
  readonly raftIdOf?: (nodeId: string) => number | undefined;
  readonly logger: Logger;
  /** Records a certificate a follower's CA issued (the leader's CA backend). */
  readonly recordCertificate?: (issued: IssuedCertificate) => Promise<void>;
  /** Records a manager that joined the Raft group (e.g. its node's manager status). */
  readonly onJoined?: (member: { raftId: number; addr: string; nodeId: string }) => Promise<void>;
}

/** Reads a uint64 that protobufjs may hand back as a Long. */
export function u64(v: number | { toNumber(): number } | null | undefined): number {
  if (v === null || v === undefined) return 0;
  return typeof v === 'number' ? v : v.toNumber();
}

function fail(code: grpc.status, details: string): grpc.ServiceError {
  return Object.assign(new Error(details), { code, details, metadata: new grpc.Metadata() });
}

/**
 * The status to answer an error with. Typed errors of the project (CaError, ClusterError,
 * DispatcherError) carry their gRPC status as `grpcStatus`, with a string `code`: reading only a
 * numeric `code` turned every refusal of the authorizer into INTERNAL.
 */
function statusOf(e: unknown): grpc.ServiceError {
  if (e instanceof NotLeaderError) return fail(grpc.status.FAILED_PRECONDITION, e.message);
  const message = e instanceof Error ? e.message : String(e);
  const typed = grpcStatusOf(e);
  if (typed !== undefined) return fail(typed, message);
  if (
    typeof e === 'object' &&
    e !== null &&
    'code' in e &&
    typeof e.code === 'number' &&
    e.code in grpc.status
  )
    return e as grpc.ServiceError;
  return fail(grpc.status.INTERNAL, message);
}

/**
 * Authorizes a manager call that only the leader serves. On a follower, a caller its store does
 * not know yet, or has as a worker (the record or a promotion may not be applied here yet), is
 * sent to the leader, not refused for good; a removed node is refused everywhere.
 */
function authorizeAtLeader(d: ControlServiceDeps, call: grpc.ServerUnaryCall<unknown, unknown>): string {
  let nodeId: string;
  try {
    nodeId = d.authorizeManager(call).nodeId;
  } catch (e: unknown) {
    // The leader decides: a follower's store may not have the caller's record or promotion yet.
    if ((e instanceof UnknownNodeError || e instanceof NodeDemotedError) && !d.raft.isLeader()) {
      throw new NotLeaderError(d.raft.leader().address, d.raft.leader().id);
    }
    throw e;
  }
  if (!d.raft.isLeader()) throw new NotLeaderError(d.raft.leader().address, d.raft.leader().id);
  return nodeId;
}

export function registerControlService(server: grpc.Server, d: ControlServiceDeps): void {
  server.addService(controlServiceDefinition, {
    forward: (
      call: grpc.ServerUnaryCall<shoal.control.ForwardRequest, shoal.control.ForwardResponse>,
      cb: grpc.sendUnaryData<shoal.control.ForwardResponse>,
    ) => {
      try {
        authorizeAtLeader(d, call);
      } catch (e: unknown) {
        cb(statusOf(e));
        return;
      }
      const r = call.request;
      d.runApiRequest({ method: r.method, url: r.url, headers: { ...r.headers }, body: r.body }).then(
        (res) =>
          cb(
            null,
            pb.ForwardResponse.create({ status: res.status, headers: { ...res.headers }, body: res.body }),
          ),
        (e: unknown) => cb(statusOf(e)),
      );
    },
    joinRaft: (
      call: grpc.ServerUnaryCall<shoal.control.JoinRaftRequest, shoal.control.JoinRaftResponse>,
      cb: grpc.sendUnaryData<shoal.control.JoinRaftResponse>,
    ) => {
      const raftId = u64(call.request.raftId);
      const addr = call.request.addr;
      let nodeId: string;
      try {
        nodeId = authorizeAtLeader(d, call);
        // The node joining is the caller: a manager certificate cannot enrol another node ID.
        if (call.request.nodeId !== '' && call.request.nodeId !== nodeId) {
          throw fail(
            grpc.status.PERMISSION_DENIED,
            `permission denied: node ${nodeId} cannot join the Raft group as node ${call.request.nodeId}`,
          );
        }
        if (!Number.isSafeInteger(raftId) || raftId <= 0)
          throw fail(grpc.status.INVALID_ARGUMENT, `invalid raft id ${raftId}`);
        if (!addr || addr.length > MAX_ADDR_LENGTH)
          throw fail(grpc.status.INVALID_ARGUMENT, 'a joining manager must give its address (host:port)');
      } catch (e: unknown) {
        cb(statusOf(e));
        return;
      }
      d.logger.info({ raftId, addr, nodeId }, 'manager joining the raft group');
      d.raft
        .addLearner(raftId, addr)
        .then(async () => {
          await d.onJoined?.({ raftId, addr, nodeId });
          // The node may have been removed while it joined: its member must not outlive it.
          if (d.raftIdOf !== undefined && d.raftIdOf(nodeId) !== raftId) {
            await d.raft.removeMember(raftId);
            throw fail(
              grpc.status.FAILED_PRECONDITION,
              `node ${nodeId} was removed from the swarm while it joined the Raft group; its member ${raftId} was removed`,
            );
          }
        })
        .then(
          () =>
            cb(
              null,
              pb.JoinRaftResponse.create({
                members: [...d.raft.memberAddresses()].map(([id, a]) =>
                  pb.RaftMember.create({ raftId: id, addr: a }),
                ),
              }),
            ),
          (e: unknown) => cb(statusOf(e)),
        );
    },
    leaveRaft: (
      call: grpc.ServerUnaryCall<shoal.control.LeaveRaftRequest, shoal.control.LeaveRaftResponse>,
      cb: grpc.sendUnaryData<shoal.control.LeaveRaftResponse>,
    ) => {
      const raftId = u64(call.request.raftId);
      try {
        const nodeId = authorizeAtLeader(d, call);
        // A manager leaves the Raft group itself; removing another is `node demote`'s job.
        const own = d.raftIdOf?.(nodeId);
        if (own !== raftId) {
          throw fail(
            grpc.status.PERMISSION_DENIED,
            `permission denied: Raft member ${raftId} is not node ${nodeId}` +
              (own === undefined ? ' (it has no Raft member recorded)' : ` (which is member ${own})`),
          );
        }
      } catch (e: unknown) {
        cb(statusOf(e));
        return;
      }
      d.raft.removeMember(raftId).then(
        () => cb(null, pb.LeaveRaftResponse.create({})),
        (e: unknown) => cb(statusOf(e)),
      );
    },
    recordCertificate: (
      call: grpc.ServerUnaryCall<
        shoal.control.RecordCertificateRequest,
        shoal.control.RecordCertificateResponse
      >,
      cb: grpc.sendUnaryData<shoal.control.RecordCertificateResponse>,
    ) => {
      let issued: IssuedCertificate;
      try {
        authorizeAtLeader(d, call);
        if (!d.recordCertificate) throw fail(grpc.status.UNIMPLEMENTED, 'this manager has no CA');
        issued = issuedFrom(call.request);
      } catch (e: unknown) {
        cb(statusOf(e));
        return;
      }
      d.recordCertificate(issued).then(
        () => cb(null, pb.RecordCertificateResponse.create({})),
        (e: unknown) => cb(statusOf(e)),
      );
    },
  });
}

/** A certificate record as a follower sent it, checked field by field. */
function issuedFrom(r: shoal.control.RecordCertificateRequest): IssuedCertificate {
  const role = r.role as NodeRole;
  const issuedAt = new Date(r.issuedAt);
  if (!r.nodeId || r.nodeId.length > MAX_NODE_ID_LENGTH)
    throw fail(grpc.status.INVALID_ARGUMENT, 'a certificate record needs a node ID (at most 64 characters)');
  if (
    r.certificate.length > MAX_PEM_LENGTH ||
    r.csr.length > MAX_PEM_LENGTH ||
    r.peer.length > MAX_ADDR_LENGTH
  )
    throw fail(grpc.status.INVALID_ARGUMENT, 'a certificate record larger than a node certificate');
  if (!NODE_ROLES.includes(role))
    throw fail(grpc.status.INVALID_ARGUMENT, `unknown role ${JSON.stringify(r.role)}`);
  if (r.reason !== 'join' && r.reason !== 'renew') {
    throw fail(grpc.status.INVALID_ARGUMENT, `unknown reason ${JSON.stringify(r.reason)}`);
  }
  if (!r.certificate.includes('BEGIN CERTIFICATE')) {
    throw fail(grpc.status.INVALID_ARGUMENT, 'the record carries no PEM certificate');
  }
  if (Number.isNaN(issuedAt.getTime())) {
    throw fail(grpc.status.INVALID_ARGUMENT, `bad issue time ${JSON.stringify(r.issuedAt)}`);
  }
  return {
    nodeId: r.nodeId,
    role,
    certificatePem: r.certificate,
    csrPem: r.csr,
    reason: r.reason,
    peer: r.peer,
    issuedAt,
  };
}
