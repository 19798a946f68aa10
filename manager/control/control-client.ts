// Calls to another manager's Control service: forward an API request or a certificate record
// to the leader, join or leave the Raft group.

import * as grpc from '@grpc/grpc-js';
import { shoal } from '../../proto/gen/control.js';
import type { ForwardedRequest, ForwardedResponse } from '../engineapi/swarm-control.js';
import type { IssuedCertificate } from '../ca/ca-backend.js';
import type { RaftId } from '../raft/types.js';
import { controlServiceDefinition as def, u64 } from './control-service.js';

const pb = shoal.control;

export class ControlClient {
  private readonly client: grpc.Client;

  constructor(address: string, credentials: grpc.ChannelCredentials, options: grpc.ChannelOptions = {}) {
    this.client = new grpc.Client(address, credentials, {
      'grpc.max_receive_message_length': 64 * 1024 * 1024,
      'grpc.max_send_message_length': 64 * 1024 * 1024,
      ...options,
    });
  }

  private unary<Req, Res>(
    m: { path: string; requestSerialize: (r: Req) => Buffer; responseDeserialize: (b: Buffer) => Res },
    req: Req,
    timeoutMs: number,
  ): Promise<Res> {
    return new Promise((resolve, reject) => {
      this.client.makeUnaryRequest(
        m.path,
        m.requestSerialize,
        m.responseDeserialize,
        req,
        new grpc.Metadata(),
        { deadline: Date.now() + timeoutMs },
        (err: grpc.ServiceError | null, res?: Res) =>
          err || res === undefined ? reject(err ?? new Error('empty answer')) : resolve(res),
      );
    });
  }

  async forward(req: ForwardedRequest, timeoutMs = 60_000): Promise<ForwardedResponse> {
    const res = await this.unary(
      def.forward,
      pb.ForwardRequest.create({
        method: req.method,
        url: req.url,
        headers: { ...req.headers },
        body: req.body,
      }),
      timeoutMs,
    );
    return { status: res.status, headers: { ...res.headers }, body: res.body };
  }

  async joinRaft(
    raftId: RaftId,
    addr: string,
    nodeId: string,
    timeoutMs = 90_000,
  ): Promise<Map<RaftId, string>> {
    const res = await this.unary(
      def.joinRaft,
      pb.JoinRaftRequest.create({ raftId, addr, nodeId }),
      timeoutMs,
    );
    return new Map(res.members.map((m) => [u64(m.raftId as number | { toNumber(): number }), m.addr ?? '']));
  }

  async leaveRaft(raftId: RaftId, timeoutMs = 30_000): Promise<void> {
    await this.unary(def.leaveRaft, pb.LeaveRaftRequest.create({ raftId }), timeoutMs);
  }

  async recordCertificate(issued: IssuedCertificate, timeoutMs = 30_000): Promise<void> {
    await this.unary(
      def.recordCertificate,
      pb.RecordCertificateRequest.create({
        nodeId: issued.nodeId,
        role: issued.role,
        certificate: issued.certificatePem,
        csr: issued.csrPem,
        reason: issued.reason,
        peer: issued.peer,
        issuedAt: issued.issuedAt.toISOString(),
      }),
      timeoutMs,
    );
  }

  close(): void {
    this.client.close();
  }
}

/** Opens a Control client to `address`, makes `call` with it, and closes it whatever happens. */
export async function withControlClient<T>(
  address: string,
  credentials: grpc.ChannelCredentials,
  options: grpc.ChannelOptions,
  call: (client: ControlClient) => Promise<T>,
): Promise<T> {
  const client = new ControlClient(address, credentials, options);
  try {
    return await call(client);
  } finally {
    client.close();
  }
}
