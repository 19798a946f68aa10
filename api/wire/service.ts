// The gRPC method table of the dispatcher (proto/dispatcher.proto, service
// shoal.dispatcher.Dispatcher), shared by the manager's server and the agent's client.
// Deserializers never throw: bytes that do not parse become a `Decoded` failure, so a handler
// can answer INVALID_ARGUMENT (grpc-js would otherwise answer INTERNAL) and a client can treat
// the session as broken.

import type * as grpc from '@grpc/grpc-js';
import { shoal } from '../../proto/gen/dispatcher.js';

const pb = shoal.dispatcher;

export type PbSessionRequest = shoal.dispatcher.SessionRequest;
export type PbSessionMessage = shoal.dispatcher.SessionMessage;
export type PbHeartbeatRequest = shoal.dispatcher.HeartbeatRequest;
export type PbHeartbeatResponse = shoal.dispatcher.HeartbeatResponse;
export type PbUpdateTaskStatusRequest = shoal.dispatcher.UpdateTaskStatusRequest;
export type PbUpdateTaskStatusResponse = shoal.dispatcher.UpdateTaskStatusResponse;
export type PbAssignmentsRequest = shoal.dispatcher.AssignmentsRequest;
export type PbAssignmentsMessage = shoal.dispatcher.AssignmentsMessage;
export type PbLogSubscriptionsRequest = shoal.dispatcher.LogSubscriptionsRequest;
export type PbLogSubscription = shoal.dispatcher.LogSubscription;
export type PbPublishLogsMessage = shoal.dispatcher.PublishLogsMessage;
export type PbPublishLogsResponse = shoal.dispatcher.PublishLogsResponse;
export type PbAttachNetworkRequest = shoal.dispatcher.AttachNetworkRequest;
export type PbAttachNetworkResponse = shoal.dispatcher.AttachNetworkResponse;
export type PbDetachNetworkRequest = shoal.dispatcher.DetachNetworkRequest;
export type PbDetachNetworkResponse = shoal.dispatcher.DetachNetworkResponse;
export const AssignmentsType = pb.AssignmentsType;

/** What a deserializer hands over: the message, or why the bytes did not parse. */
export type Decoded<T> =
  { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: string };

/** Trailer naming the leader's address when a follower refuses a call. */
export const LEADER_ADDR_KEY = 'shoal-leader-addr';

interface Codec<T> {
  encode(m: T): { finish(): Uint8Array };
  decode(b: Uint8Array): T;
}

function serializer<T>(codec: Codec<T>): (m: T) => Buffer {
  return (m: T): Buffer => {
    const b = codec.encode(m).finish();
    return Buffer.from(b.buffer, b.byteOffset, b.byteLength);
  };
}

function deserializer<T>(codec: Codec<T>): (b: Buffer) => Decoded<T> {
  return (b: Buffer): Decoded<T> => {
    try {
      return { ok: true, value: codec.decode(b) };
    } catch (e: unknown) {
      return { ok: false, error: `malformed message: ${e instanceof Error ? e.message : String(e)}` };
    }
  };
}

/** A method whose deserializers hand over `Decoded` values on both ends. */
export interface DispatcherMethod<Req, Res> extends grpc.ServerMethodDefinition<Decoded<Req>, Res> {
  requestSerialize: grpc.serialize<Req>;
  responseDeserialize: grpc.deserialize<Decoded<Res>>;
}

function method<Req, Res>(
  name: string,
  req: Codec<Req>,
  res: Codec<Res>,
  requestStream: boolean,
  responseStream: boolean,
): DispatcherMethod<Req, Res> {
  return {
    path: `/shoal.dispatcher.Dispatcher/${name}`,
    requestStream,
    responseStream,
    requestSerialize: serializer(req),
    requestDeserialize: deserializer(req),
    responseSerialize: serializer(res),
    responseDeserialize: deserializer(res),
  };
}

export const dispatcherServiceDefinition = {
  session: method<PbSessionRequest, PbSessionMessage>(
    'Session',
    pb.SessionRequest,
    pb.SessionMessage,
    false,
    true,
  ),
  heartbeat: method<PbHeartbeatRequest, PbHeartbeatResponse>(
    'Heartbeat',
    pb.HeartbeatRequest,
    pb.HeartbeatResponse,
    false,
    false,
  ),
  updateTaskStatus: method<PbUpdateTaskStatusRequest, PbUpdateTaskStatusResponse>(
    'UpdateTaskStatus',
    pb.UpdateTaskStatusRequest,
    pb.UpdateTaskStatusResponse,
    false,
    false,
  ),
  assignments: method<PbAssignmentsRequest, PbAssignmentsMessage>(
    'Assignments',
    pb.AssignmentsRequest,
    pb.AssignmentsMessage,
    false,
    true,
  ),
  logSubscriptions: method<PbLogSubscriptionsRequest, PbLogSubscription>(
    'LogSubscriptions',
    pb.LogSubscriptionsRequest,
    pb.LogSubscription,
    false,
    true,
  ),
  publishLogs: method<PbPublishLogsMessage, PbPublishLogsResponse>(
    'PublishLogs',
    pb.PublishLogsMessage,
    pb.PublishLogsResponse,
    true,
    false,
  ),
  attachNetwork: method<PbAttachNetworkRequest, PbAttachNetworkResponse>(
    'AttachNetwork',
    pb.AttachNetworkRequest,
    pb.AttachNetworkResponse,
    false,
    false,
  ),
  detachNetwork: method<PbDetachNetworkRequest, PbDetachNetworkResponse>(
    'DetachNetwork',
    pb.DetachNetworkRequest,
    pb.DetachNetworkResponse,
    false,
    false,
  ),
} satisfies grpc.ServiceDefinition;

export const newSessionRequest = (p: shoal.dispatcher.SessionRequest.$Properties): PbSessionRequest =>
  pb.SessionRequest.create(p);
export const newSessionMessage = (p: shoal.dispatcher.SessionMessage.$Properties): PbSessionMessage =>
  pb.SessionMessage.create(p);
export const newHeartbeatRequest = (p: shoal.dispatcher.HeartbeatRequest.$Properties): PbHeartbeatRequest =>
  pb.HeartbeatRequest.create(p);
export const newHeartbeatResponse = (
  p: shoal.dispatcher.HeartbeatResponse.$Properties,
): PbHeartbeatResponse => pb.HeartbeatResponse.create(p);
export const newUpdateTaskStatusRequest = (
  p: shoal.dispatcher.UpdateTaskStatusRequest.$Properties,
): PbUpdateTaskStatusRequest => pb.UpdateTaskStatusRequest.create(p);
export const newUpdateTaskStatusResponse = (
  p: shoal.dispatcher.UpdateTaskStatusResponse.$Properties,
): PbUpdateTaskStatusResponse => pb.UpdateTaskStatusResponse.create(p);
export const newAssignmentsRequest = (
  p: shoal.dispatcher.AssignmentsRequest.$Properties,
): PbAssignmentsRequest => pb.AssignmentsRequest.create(p);
export const newAssignmentsMessage = (
  p: shoal.dispatcher.AssignmentsMessage.$Properties,
): PbAssignmentsMessage => pb.AssignmentsMessage.create(p);
export const newLogSubscriptionsRequest = (
  p: shoal.dispatcher.LogSubscriptionsRequest.$Properties,
): PbLogSubscriptionsRequest => pb.LogSubscriptionsRequest.create(p);
export const newLogSubscription = (p: shoal.dispatcher.LogSubscription.$Properties): PbLogSubscription =>
  pb.LogSubscription.create(p);
export const newPublishLogsMessage = (
  p: shoal.dispatcher.PublishLogsMessage.$Properties,
): PbPublishLogsMessage => pb.PublishLogsMessage.create(p);
export const newPublishLogsResponse = (): PbPublishLogsResponse => pb.PublishLogsResponse.create({});
export const newAttachNetworkRequest = (
  p: shoal.dispatcher.AttachNetworkRequest.$Properties,
): PbAttachNetworkRequest => pb.AttachNetworkRequest.create(p);
export const newAttachNetworkResponse = (
  p: shoal.dispatcher.AttachNetworkResponse.$Properties,
): PbAttachNetworkResponse => pb.AttachNetworkResponse.create(p);
export const newDetachNetworkRequest = (
  p: shoal.dispatcher.DetachNetworkRequest.$Properties,
): PbDetachNetworkRequest => pb.DetachNetworkRequest.create(p);
export const newDetachNetworkResponse = (): PbDetachNetworkResponse => pb.DetachNetworkResponse.create({});
