// The Control gRPC service (proto/control.proto) on a manager: runs forwarded API requests on
// the leader, and adds/removes managers to/from the Raft group. Callers must be managers.

import * as grpc from '@grpc/grpc-js';
import type { Logger } from 'pino';
import { shoal } from '../../proto/gen/control.js';
import type { ForwardedRequest, ForwardedResponse } from '../api/swarm-control.js';
import type { IssuedCertificate } from '../ca/ca-backend.js';
import { NODE_ROLES, type NodeRole } from '../store/objects/node.js';
import { NotLeaderError } from '../raft/node/errors.js';
import type { RaftNode } from '../raft/node/raft-node.js';

const pb = shoal.control;

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
  /** Throws (with a grpc status) unless the caller presents a manager certificate. */
  readonly authorizeManager: (call: grpc.ServerUnaryCall<unknown, unknown>) => void;
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

function statusOf(e: unknown): grpc.ServiceError {
  if (e instanceof NotLeaderError) return fail(grpc.status.FAILED_PRECONDITION, e.message);
  if (typeof e === 'object' && e !== null && 'code' in e && typeof e.code === 'number') {
    return e as grpc.ServiceError;
  }
  return fail(grpc.status.INTERNAL, e instanceof Error ? e.message : String(e));
}

export function registerControlService(server: grpc.Server, d: ControlServiceDeps): void {
  server.addService(controlServiceDefinition, {
    forward: (
      call: grpc.ServerUnaryCall<shoal.control.ForwardRequest, shoal.control.ForwardResponse>,
      cb: grpc.sendUnaryData<shoal.control.ForwardResponse>,
    ) => {
      try {
        d.authorizeManager(call);
        if (!d.raft.isLeader()) throw new NotLeaderError(d.raft.leader().id, d.raft.leader().address);
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
      try {
        d.authorizeManager(call);
        if (!Number.isSafeInteger(raftId) || raftId <= 0)
          throw fail(grpc.status.INVALID_ARGUMENT, `invalid raft id ${raftId}`);
        if (!addr) throw fail(grpc.status.INVALID_ARGUMENT, 'a joining manager must give its address');
      } catch (e: unknown) {
        cb(statusOf(e));
        return;
      }
      d.logger.info({ raftId, addr, nodeId: call.request.nodeId }, 'manager joining the raft group');
      d.raft
        .addLearner(raftId, addr)
        .then(async () => {
          await d.onJoined?.({ raftId, addr, nodeId: call.request.nodeId });
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
      try {
        d.authorizeManager(call);
      } catch (e: unknown) {
        cb(statusOf(e));
        return;
      }
      d.raft.removeMember(u64(call.request.raftId)).then(
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
        d.authorizeManager(call);
        if (!d.recordCertificate) throw fail(grpc.status.UNIMPLEMENTED, 'this manager has no CA');
        if (!d.raft.isLeader()) throw new NotLeaderError(d.raft.leader().id, d.raft.leader().address);
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
  if (!r.nodeId) throw fail(grpc.status.INVALID_ARGUMENT, 'a certificate record needs a node ID');
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
