// The CA's view of the cluster, backed by the replicated store: the root CA and join tokens
// live in the Cluster object, issued certificates create or update Node objects, and removed
// nodes are listed on the Cluster (a Node object is deleted by `node rm`). Only the leader
// writes the store: a follower's CA signs from its own copy of the cluster and hands the record
// to the leader (`forwardToLeader`), so nodes join and renew through any manager.

import { NotLeaderError } from '../../api/errors.js';
import type { MemoryStore } from '../store/index.js';
import type { Cluster, NewObject } from '../../api/objects/index.js';
import type { NodeRole } from '../../api/objects/node.js';
import type { CaBackend, CaClusterState, IssuedCertificate } from './ca-backend.js';
import { peerHost } from '../dispatcher/identity.js';
import { NodeRemovedError } from '../../api/errors.js';
import { UnknownNodeError } from '../../ca/errors.js';
import { isNodeRemoved, removedNodeSet } from './removed-nodes.js';
import { RootCA } from '../../ca/root-ca.js';
import { trustBundlePem } from '../../ca/cluster-roots.js';

export interface StoreCaBackendOptions {
  /** Records a certificate on the leader, when this manager is a follower. */
  readonly forwardToLeader?: (issued: IssuedCertificate) => Promise<void>;
}

export class StoreCaBackend implements CaBackend {
  private readonly store: MemoryStore;
  private readonly forwardToLeader: ((issued: IssuedCertificate) => Promise<void>) | undefined;
  private cached: { digest: string; ca: RootCA } | undefined;
  private cachedRotation: { certPem: string; ca: RootCA } | undefined;

  constructor(store: MemoryStore, options: StoreCaBackendOptions = {}) {
    this.store = store;
    this.forwardToLeader = options.forwardToLeader;
  }

  private cluster(): Cluster {
    const c = this.store.view((tx) => tx.list('clusters')[0]);
    if (!c) throw new Error('the swarm has no cluster object yet');
    return c;
  }

  async current(): Promise<CaClusterState> {
    const c = this.cluster();
    if (!c.rootCA.caKey) throw new Error('this swarm has no root CA key: an external CA is not supported');
    let cached = this.cached;
    if (cached?.digest !== c.rootCA.caCertDigest) {
      cached = { digest: c.rootCA.caCertDigest, ca: await RootCA.fromPem(c.rootCA.caCert, c.rootCA.caKey) };
      this.cached = cached;
    }
    const rotation = c.rootCA.rootRotation;
    let signer = cached.ca;
    if (rotation !== undefined) {
      let next = this.cachedRotation;
      if (next?.certPem !== rotation.caCert) {
        next = { certPem: rotation.caCert, ca: await RootCA.fromPem(rotation.caCert, rotation.caKey) };
        this.cachedRotation = next;
      }
      signer = next.ca;
    }
    return {
      clusterId: c.id,
      rootCA: cached.ca,
      signer,
      intermediatesPem: rotation?.crossSignedCACert ?? '',
      trustBundlePem: trustBundlePem(c.rootCA),
      ...(rotation === undefined ? {} : { rotationRootPem: rotation.caCert }),
      joinTokens: c.rootCA.joinTokens,
      nodeCertExpiryMs: c.spec.caConfig.nodeCertExpiry,
    };
  }

  async recordCertificate(issued: IssuedCertificate): Promise<void> {
    try {
      await this.record(issued);
    } catch (e: unknown) {
      if (!(e instanceof NotLeaderError) || this.forwardToLeader === undefined) throw e;
      await this.forwardToLeader(issued);
    }
  }

  private async record(issued: IssuedCertificate): Promise<void> {
    const certificate = {
      state: 'issued' as const,
      certificate: issued.certificatePem,
      csr: issued.csrPem,
      cn: issued.nodeId,
      role: issued.role,
    };
    await this.store.update((tx) => {
      // Checked in the transaction that records it: a node removed meanwhile (or whose record is
      // gone) is not brought back by a certificate a CA signed from an older copy of the cluster.
      if (isNodeRemoved(tx, issued.nodeId)) throw new NodeRemovedError(issued.nodeId);
      const existing = tx.get('nodes', issued.nodeId);
      if (!existing && issued.reason === 'renew') throw new UnknownNodeError(issued.nodeId);
      if (existing) {
        tx.update('nodes', { ...existing, role: issued.role, certificate });
        return;
      }
      const node: NewObject<'nodes'> = {
        id: issued.nodeId,
        spec: { labels: {}, role: issued.role, availability: 'active' },
        role: issued.role,
        status: {
          state: 'unknown',
          message: 'certificate issued; waiting for the node to connect',
          addr: peerHost(issued.peer),
        },
        certificate,
        attachments: [],
      };
      tx.create('nodes', node);
    });
  }

  isNodeRemoved(nodeId: string): Promise<boolean> {
    return Promise.resolve(removedNodeSet(this.cluster()).has(nodeId));
  }

  /**
   * The role a renewed certificate gets: the node's current role, which the role manager moves
   * towards the spec (at once for a promotion; only after leaving the Raft group for a demotion,
   * so a demoted manager never drops out while it still counts toward the quorum).
   */
  nodeRole(nodeId: string): Promise<NodeRole | undefined> {
    return Promise.resolve(this.store.view((tx) => tx.get('nodes', nodeId))?.role);
  }
}
