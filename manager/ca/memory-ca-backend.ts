// A CaBackend held in memory: one root CA, rotatable tokens, a table of certified nodes and
// the set of removed ones. Used by tests and by anything that runs a CA without a store.

import type { NodeRole } from '../../api/objects/node.js';
import type { CaBackend, CaClusterState, IssuedCertificate } from './ca-backend.js';
import { generateJoinToken, generateJoinTokens, type JoinTokens } from '../../ca/join-token.js';
import { DEFAULT_NODE_CERT_EXPIRY_MS } from '../../ca/node-certificate.js';
import type { RootCA } from '../../ca/root-ca.js';
import { rootBundle } from '../../ca/cluster-roots.js';

export interface MemoryNodeRecord {
  readonly nodeId: string;
  role: NodeRole;
  certificatePem: string;
  /** Every certificate issued to the node, oldest first. */
  readonly issued: IssuedCertificate[];
}

export class MemoryCaBackend implements CaBackend {
  readonly clusterId: string;
  readonly rootCA: RootCA;
  joinTokens: JoinTokens;
  nodeCertExpiryMs: number;
  readonly nodes = new Map<string, MemoryNodeRecord>();
  readonly removed = new Set<string>();
  /** A pending root rotation: the next root (with its key) and the cross-signed intermediate. */
  rotation: { readonly root: RootCA; readonly crossSignedPem: string } | undefined;

  constructor(options: {
    clusterId: string;
    rootCA: RootCA;
    nodeCertExpiryMs?: number;
    joinTokens?: JoinTokens;
  }) {
    this.clusterId = options.clusterId;
    this.rootCA = options.rootCA;
    this.nodeCertExpiryMs = options.nodeCertExpiryMs ?? DEFAULT_NODE_CERT_EXPIRY_MS;
    this.joinTokens = options.joinTokens ?? generateJoinTokens(options.rootCA.digest);
  }

  current(): Promise<CaClusterState> {
    const rotation = this.rotation;
    return Promise.resolve({
      clusterId: this.clusterId,
      rootCA: this.rootCA,
      signer: rotation?.root ?? this.rootCA,
      intermediatesPem: rotation?.crossSignedPem ?? '',
      trustBundlePem: rootBundle(this.rootCA.certPem, rotation?.root.certPem),
      ...(rotation === undefined ? {} : { rotationRootPem: rotation.root.certPem }),
      joinTokens: this.joinTokens,
      nodeCertExpiryMs: this.nodeCertExpiryMs,
    });
  }

  recordCertificate(issued: IssuedCertificate): Promise<void> {
    const existing = this.nodes.get(issued.nodeId);
    if (existing) {
      existing.role = issued.role;
      existing.certificatePem = issued.certificatePem;
      existing.issued.push(issued);
    } else {
      this.nodes.set(issued.nodeId, {
        nodeId: issued.nodeId,
        role: issued.role,
        certificatePem: issued.certificatePem,
        issued: [issued],
      });
    }
    return Promise.resolve();
  }

  isNodeRemoved(nodeId: string): Promise<boolean> {
    return Promise.resolve(this.removed.has(nodeId));
  }

  nodeRole(nodeId: string): Promise<NodeRole | undefined> {
    return Promise.resolve(this.nodes.get(nodeId)?.role);
  }

  /** `swarm join-token --rotate <role>`: the old token of that role stops working. */
  rotateToken(role: NodeRole): string {
    const token = generateJoinToken(this.rootCA.digest);
    this.joinTokens = { ...this.joinTokens, [role]: token };
    return token;
  }

  /** `node promote` / `node demote`: the role the node gets at its next renewal. */
  setRole(nodeId: string, role: NodeRole): void {
    const node = this.nodes.get(nodeId);
    if (node) node.role = role;
  }

  /** `node rm`: the node's certificate is no longer honoured. */
  removeNode(nodeId: string): void {
    this.nodes.delete(nodeId);
    this.removed.add(nodeId);
  }
}
