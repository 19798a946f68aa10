// The gRPC method table of the Raft transport (proto/raft.proto, service shoal.raft.Raft), with
// serializers from the generated protobuf code. Deserializers only parse; validation into core
// types happens in the transport, where a bad peer can be logged and refused.

import type * as grpc from '@grpc/grpc-js';
import { shoal } from '../../../proto/gen/raft.js';

const pb = shoal.raft;

export type PbBatch = shoal.raft.RaftBatch;
export type PbAck = shoal.raft.RaftAck;
export type PbChunk = shoal.raft.SnapshotChunk;
export type PbSnapshotAck = shoal.raft.SnapshotAck;

const enc =
  <T>(e: (m: T) => { finish(): Uint8Array }) =>
  (m: T): Buffer => {
    const b = e(m).finish();
    return Buffer.from(b.buffer, b.byteOffset, b.byteLength);
  };

export const raftServiceDefinition = {
  stream: {
    path: '/shoal.raft.Raft/Stream',
    requestStream: true,
    responseStream: true,
    requestSerialize: enc<PbBatch>((m) => pb.RaftBatch.encode(m)),
    requestDeserialize: (b: Buffer): PbBatch => pb.RaftBatch.decode(b),
    responseSerialize: enc<PbAck>((m) => pb.RaftAck.encode(m)),
    responseDeserialize: (b: Buffer): PbAck => pb.RaftAck.decode(b),
  },
  sendSnapshot: {
    path: '/shoal.raft.Raft/SendSnapshot',
    requestStream: true,
    responseStream: false,
    requestSerialize: enc<PbChunk>((m) => pb.SnapshotChunk.encode(m)),
    requestDeserialize: (b: Buffer): PbChunk => pb.SnapshotChunk.decode(b),
    responseSerialize: enc<PbSnapshotAck>((m) => pb.SnapshotAck.encode(m)),
    responseDeserialize: (b: Buffer): PbSnapshotAck => pb.SnapshotAck.decode(b),
  },
} satisfies grpc.ServiceDefinition;

export function newBatch(messages: shoal.raft.Message.$Properties[]): PbBatch {
  return pb.RaftBatch.create({ messages });
}

export function newAck(received: number): PbAck {
  return pb.RaftAck.create({ received });
}

export function newChunk(p: shoal.raft.SnapshotChunk.$Properties): PbChunk {
  return pb.SnapshotChunk.create(p);
}

export function newSnapshotAck(p: shoal.raft.SnapshotAck.$Properties): PbSnapshotAck {
  return pb.SnapshotAck.create(p);
}
