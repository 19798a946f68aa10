// The identity `swarm init` gives a new swarm and its first manager: a new root CA, the
// cluster and node IDs, the node's key and its manager certificate, and the membership state
// the node saves (a new Raft member ID, itself as the only manager).

import { randomInt } from 'node:crypto';
import type { NodeCredentials } from '../ca/ca-client.js';
import { generateNodeKeyAndCsr, signNodeCertificate } from '../ca/node-certificate.js';
import { RootCA } from '../ca/root-ca.js';
import { generateId } from '../manager/store/index.js';
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
