// The CA service every manager serves on 2377 (proto/ca.proto). A joining node fetches the root
// certificate without a client certificate, pins it against its token, then asks for a node
// certificate with a CSR and the token: the token's secret decides the role, the CA assigns a
// node ID, signs, records the node through the backend and answers with the certificate and the
// root. A certified node renews over mutual TLS and keeps its ID; a removed node cannot renew.

import * as grpc from '@grpc/grpc-js';
import { pino, type Logger } from 'pino';
import { generateId } from '../../api/objects/ids.js';
import type { NodeRole } from '../../api/objects/node.js';
import type { CaBackend } from './ca-backend.js';
import {
  newGetRootResponse,
  newIssueResponse,
  newRenewResponse,
  nodeCaServiceDefinition,
  type PbGetRootRequest,
  type PbGetRootResponse,
  type PbIssueRequest,
  type PbIssueResponse,
  type PbRenewRequest,
  type PbRenewResponse,
} from '../../ca/ca-service.js';
import { NodeRemovedError } from '../../api/errors.js';
import {
  grpcStatusOf,
  InvalidCsrError,
  JoinTokenRejectedError,
  toGrpcStatus,
  UnknownNodeError,
} from '../../ca/errors.js';
import { matchJoinToken, parseJoinToken } from '../../ca/join-token.js';
import { signNodeCertificate } from '../../ca/node-certificate.js';
import { requireRole, type CallWithAuthContext } from '../../ca/peer-identity.js';

export interface NodeCaServerOptions {
  readonly backend: CaBackend;
  /** The CA's clock: issued certificates start from it (default: the system clock). */
  readonly clock?: () => Date;
  /** Node IDs for joining nodes (default: Swarm-like 25-character base-36 IDs). */
  readonly newNodeId?: () => string;
  readonly logger?: Logger;
}

/** What the CA answers a node it certified. */
export interface NodeCertificateGrant {
  readonly nodeId: string;
  readonly role: NodeRole;
  readonly clusterId: string;
  readonly certificatePem: string;
  readonly rootCaPem: string;
}

export class NodeCaServer {
  readonly #backend: CaBackend;
  readonly #clock: () => Date;
  readonly #newNodeId: () => string;
  readonly #log: Logger;

  constructor(options: NodeCaServerOptions) {
    this.#backend = options.backend;
    this.#clock = options.clock ?? (() => new Date());
    this.#newNodeId = options.newNodeId ?? generateId;
    this.#log = options.logger ?? pino({ level: 'silent' });
  }

  /** The root CA certificate (PEM). Anyone may ask: it is public, and pinned by the token. */
  async rootCertificate(): Promise<string> {
    return (await this.#backend.current()).rootCA.certPem;
  }

  /** The root, and the root being rotated to (PEM, '' when no rotation is pending). */
  async roots(): Promise<{ certificate: string; rotationCertificate: string }> {
    const state = await this.#backend.current();
    return { certificate: state.rootCA.certPem, rotationCertificate: state.rotationRootPem ?? '' };
  }

  /** Certifies a joining node: the token decides the role, the CA the node ID. */
  async issue(request: { csrPem: string; token: string; peer: string }): Promise<NodeCertificateGrant> {
    parseJoinToken(request.token);
    if (request.csrPem.trim() === '') throw new InvalidCsrError('the request carries no CSR');
    const state = await this.#backend.current();
    const role = matchJoinToken(request.token, state.joinTokens);
    if (role === undefined) {
      this.#log.warn({ peer: request.peer }, 'ca: join refused: unknown or rotated token');
      throw new JoinTokenRejectedError();
    }
    const nodeId = this.#newNodeId();
    const now = this.#clock();
    const certificatePem = await signNodeCertificate(
      state.signer,
      request.csrPem,
      { nodeId, role, clusterId: state.clusterId },
      { now, expiryMs: state.nodeCertExpiryMs, intermediatesPem: state.intermediatesPem },
    );
    await this.#backend.recordCertificate({
      nodeId,
      role,
      certificatePem,
      csrPem: request.csrPem,
      reason: 'join',
      peer: request.peer,
      issuedAt: now,
    });
    this.#log.info({ nodeId, role, peer: request.peer }, 'ca: node joined');
    return { nodeId, role, clusterId: state.clusterId, certificatePem, rootCaPem: state.trustBundlePem };
  }

  /**
   * Renews the certificate of the node calling over mutual TLS: same node ID, the role the node
   * has now in the cluster (so promotions and demotions take effect), a fresh validity.
   */
  async renew(
    call: CallWithAuthContext,
    request: { csrPem: string; peer: string },
  ): Promise<NodeCertificateGrant> {
    const state = await this.#backend.current();
    const caller = requireRole(call, ['worker', 'manager'], { clusterId: state.clusterId });
    if (await this.#backend.isNodeRemoved(caller.nodeId)) {
      this.#log.warn({ nodeId: caller.nodeId, peer: request.peer }, 'ca: renewal refused: node was removed');
      throw new NodeRemovedError(caller.nodeId);
    }
    // The certificate alone proves nothing about the node's standing: the cluster must know it.
    const role = await this.#backend.nodeRole(caller.nodeId);
    if (role === undefined) {
      this.#log.warn({ nodeId: caller.nodeId, peer: request.peer }, 'ca: renewal refused: unknown node');
      throw new UnknownNodeError(caller.nodeId);
    }
    if (request.csrPem.trim() === '') throw new InvalidCsrError('the request carries no CSR');
    const now = this.#clock();
    const certificatePem = await signNodeCertificate(
      state.signer,
      request.csrPem,
      { nodeId: caller.nodeId, role, clusterId: state.clusterId },
      { now, expiryMs: state.nodeCertExpiryMs, intermediatesPem: state.intermediatesPem },
    );
    await this.#backend.recordCertificate({
      nodeId: caller.nodeId,
      role,
      certificatePem,
      csrPem: request.csrPem,
      reason: 'renew',
      peer: request.peer,
      issuedAt: now,
    });
    this.#log.info({ nodeId: caller.nodeId, role, peer: request.peer }, 'ca: node certificate renewed');
    return {
      nodeId: caller.nodeId,
      role,
      clusterId: state.clusterId,
      certificatePem,
      rootCaPem: state.trustBundlePem,
    };
  }

  /** The gRPC handlers of shoal.ca.NodeCA. */
  implementation(): grpc.UntypedServiceImplementation {
    const getRootCACertificate: grpc.handleUnaryCall<PbGetRootRequest, PbGetRootResponse> = (
      _call,
      callback,
    ) => {
      this.#answer(
        this.roots().then((roots) => newGetRootResponse(roots)),
        callback,
      );
    };
    const issueNodeCertificate: grpc.handleUnaryCall<PbIssueRequest, PbIssueResponse> = (call, callback) => {
      const grant = this.issue({ csrPem: call.request.csr, token: call.request.token, peer: call.getPeer() });
      this.#answer(grant.then(toIssueResponse), callback);
    };
    const renewNodeCertificate: grpc.handleUnaryCall<PbRenewRequest, PbRenewResponse> = (call, callback) => {
      const grant = this.renew(call, { csrPem: call.request.csr, peer: call.getPeer() });
      this.#answer(
        grant.then((g) => newRenewResponse(grantFields(g))),
        callback,
      );
    };
    return { getRootCACertificate, issueNodeCertificate, renewNodeCertificate };
  }

  /** Adds shoal.ca.NodeCA to `server` (which should use NodeServerCredentials with CA_PUBLIC_METHODS). */
  addTo(server: grpc.Server): void {
    server.addService(nodeCaServiceDefinition, this.implementation());
  }

  #answer<T>(result: Promise<T>, callback: grpc.sendUnaryData<T>): void {
    result.then(
      (value) => callback(null, value),
      (e: unknown) => {
        if (grpcStatusOf(e) === undefined) this.#log.error({ err: e }, 'ca: request failed');
        callback(toGrpcStatus(e));
      },
    );
  }
}

function grantFields(g: NodeCertificateGrant): {
  nodeId: string;
  role: string;
  clusterId: string;
  certificate: string;
  rootCaCertificate: string;
} {
  return {
    nodeId: g.nodeId,
    role: g.role,
    clusterId: g.clusterId,
    certificate: g.certificatePem,
    rootCaCertificate: g.rootCaPem,
  };
}

function toIssueResponse(g: NodeCertificateGrant): PbIssueResponse {
  return newIssueResponse(grantFields(g));
}
