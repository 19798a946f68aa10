// The gRPC method table of the CA (proto/ca.proto, service shoal.ca.NodeCA), with serializers
// from the generated protobuf code, and the methods a caller without a certificate may use.

import type * as grpc from '@grpc/grpc-js';
import { shoal } from '../proto/gen/ca.js';

const pb = shoal.ca;

export type PbGetRootRequest = shoal.ca.GetRootCACertificateRequest;
export type PbGetRootResponse = shoal.ca.GetRootCACertificateResponse;
export type PbIssueRequest = shoal.ca.IssueNodeCertificateRequest;
export type PbIssueResponse = shoal.ca.IssueNodeCertificateResponse;
export type PbRenewRequest = shoal.ca.RenewNodeCertificateRequest;
export type PbRenewResponse = shoal.ca.RenewNodeCertificateResponse;

const enc =
  <T>(e: (m: T) => { finish(): Uint8Array }) =>
  (m: T): Buffer => {
    const b = e(m).finish();
    return Buffer.from(b.buffer, b.byteOffset, b.byteLength);
  };

function unary<Req, Res>(
  name: string,
  req: { encode(m: Req): { finish(): Uint8Array }; decode(b: Uint8Array): Req },
  res: { encode(m: Res): { finish(): Uint8Array }; decode(b: Uint8Array): Res },
): grpc.MethodDefinition<Req, Res> {
  return {
    path: `/shoal.ca.NodeCA/${name}`,
    requestStream: false,
    responseStream: false,
    requestSerialize: enc<Req>((m) => req.encode(m)),
    requestDeserialize: (b: Buffer): Req => req.decode(b),
    responseSerialize: enc<Res>((m) => res.encode(m)),
    responseDeserialize: (b: Buffer): Res => res.decode(b),
  };
}

export const nodeCaServiceDefinition = {
  getRootCACertificate: unary<PbGetRootRequest, PbGetRootResponse>(
    'GetRootCACertificate',
    pb.GetRootCACertificateRequest,
    pb.GetRootCACertificateResponse,
  ),
  issueNodeCertificate: unary<PbIssueRequest, PbIssueResponse>(
    'IssueNodeCertificate',
    pb.IssueNodeCertificateRequest,
    pb.IssueNodeCertificateResponse,
  ),
  renewNodeCertificate: unary<PbRenewRequest, PbRenewResponse>(
    'RenewNodeCertificate',
    pb.RenewNodeCertificateRequest,
    pb.RenewNodeCertificateResponse,
  ),
} satisfies grpc.ServiceDefinition;

/** Methods a joining node calls before it has a certificate (pass to NodeServerCredentials). */
export const CA_PUBLIC_METHODS: readonly string[] = [
  nodeCaServiceDefinition.getRootCACertificate.path,
  nodeCaServiceDefinition.issueNodeCertificate.path,
];

export const newGetRootRequest = (): PbGetRootRequest => pb.GetRootCACertificateRequest.create({});
export const newGetRootResponse = (p: shoal.ca.GetRootCACertificateResponse.$Properties): PbGetRootResponse =>
  pb.GetRootCACertificateResponse.create(p);
export const newIssueRequest = (p: shoal.ca.IssueNodeCertificateRequest.$Properties): PbIssueRequest =>
  pb.IssueNodeCertificateRequest.create(p);
export const newIssueResponse = (p: shoal.ca.IssueNodeCertificateResponse.$Properties): PbIssueResponse =>
  pb.IssueNodeCertificateResponse.create(p);
export const newRenewRequest = (p: shoal.ca.RenewNodeCertificateRequest.$Properties): PbRenewRequest =>
  pb.RenewNodeCertificateRequest.create(p);
export const newRenewResponse = (p: shoal.ca.RenewNodeCertificateResponse.$Properties): PbRenewResponse =>
  pb.RenewNodeCertificateResponse.create(p);
