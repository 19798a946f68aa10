// A node's identity in its swarm. `swarm init` gives a new swarm and its first manager one: a
// new root CA, the cluster and node IDs, the node's key and its manager certificate, and the
// membership state the node saves (a new Raft member ID, itself as the only manager).
// `swarm join` gets one from the managers' CA with the join token.

import { randomInt } from 'node:crypto';
import * as grpc from '@grpc/grpc-js';
import { joinSwarmPki, type NodeCredentials } from '../ca/ca-client.js';
import { CaError } from '../ca/errors.js';
import { InvalidArgumentError } from '../manager/engineapi/control-errors.js';
import { generateNodeKeyAndCsr, signNodeCertificate } from '../ca/node-certificate.js';
import { RootCA } from '../ca/root-ca.js';
import { generateId } from '../api/objects/ids.js';
import type { SwarmMembership } from './node-state.js';

export interface SwarmIdentity {
  readonly ca: RootCA;
  readonly clusterId: string;
  readonly nodeId: string;
  readonly key: { readonly keyPem: string; readonly csrPem: string };
  readonly certPem: string;
  readonly creds: NodeCredentials;
  readonly state: SwarmMembership;
}

export async function newSwarmIdentity(listenAddr: string, advertiseAddr: string): Promise<SwarmIdentity> {
  const ca = await RootCA.create();
  const clusterId = generateId();
  const nodeId = generateId();
  const key = await generateNodeKeyAndCsr();
  const certPem = await signNodeCertificate(
    ca,
    key.csrPem,
    { nodeId, role: 'manager', clusterId },
    { now: new Date() },
  );
  const creds: NodeCredentials = {
    nodeId,
    role: 'manager',
    clusterId,
    rootCaPem: ca.certPem,
    certPem,
    keyPem: key.keyPem,
  };
  const state: SwarmMembership = {
    version: 1,
    nodeId,
    clusterId,
    role: 'manager',
    raftId: randomInt(1, 2 ** 47),
    listenAddr,
    advertiseAddr,
    managers: [{ nodeId, addr: advertiseAddr }],
  };
  return { ca, clusterId, nodeId, key, certPem, creds, state };
}

/**
 * The node's certificate from the CA at `target`, with the join token. A token or CA the
 * managers refuse is the caller's to fix: a 400 with the reason; an unreachable manager is not.
 */
export async function joinedIdentity(target: string, token: string): Promise<NodeCredentials> {
  try {
    return await joinSwarmPki(target, token);
  } catch (e: unknown) {
    if (
      e instanceof CaError &&
      e.grpcStatus !== grpc.status.UNAVAILABLE &&
      e.grpcStatus !== grpc.status.DEADLINE_EXCEEDED
    ) {
      throw new InvalidArgumentError(e.message);
    }
    throw e;
  }
}
