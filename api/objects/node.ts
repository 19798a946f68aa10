// Nodes: the machines in the swarm. The spec holds what an operator set (`docker node update`);
// description, status and managerStatus are observed by the dispatcher and Raft.

import type { Labels, Platform, Resources, StoredObjectBase } from './common.js';

export type NodeRole = 'worker' | 'manager';
export const NODE_ROLES: readonly NodeRole[] = ['worker', 'manager'];

export type NodeAvailability = 'active' | 'pause' | 'drain';
export const NODE_AVAILABILITIES: readonly NodeAvailability[] = ['active', 'pause', 'drain'];

export type NodeState = 'unknown' | 'down' | 'ready' | 'disconnected';
export const NODE_STATES: readonly NodeState[] = ['unknown', 'down', 'ready', 'disconnected'];

export type Reachability = 'unknown' | 'unreachable' | 'reachable';

export interface NodeSpec {
  /** Optional operator-given name (Docker's Spec.Name); the hostname is in the description. */
  name?: string;
  labels: Labels;
  /** The role the operator wants; `Node.role` is the role the node currently has. */
  role: NodeRole;
  availability: NodeAvailability;
}

export interface EngineDescription {
  engineVersion: string;
  labels: Labels;
  plugins: { type: string; name: string }[];
}

export interface NodeDescription {
  hostname: string;
  platform: Platform;
  resources: Resources;
  engine: EngineDescription;
  /** The node's certificate issuer as it reports it (lets the CA spot stale trust roots). */
  tlsInfo?: { trustRoot: string; certIssuerSubject: string; certIssuerPublicKey: string };
}

export interface NodeStatus {
  state: NodeState;
  message: string;
  /** The address the node's session comes from, as seen by the manager. */
  addr: string;
}

export interface ManagerStatus {
  raftId: number;
  /** Address other managers reach this one at (host:2377). */
  addr: string;
  leader: boolean;
  reachability: Reachability;
}

export type CertificateState = 'pending' | 'renew' | 'issued' | 'failed' | 'rotate';

export interface NodeCertificate {
  state: CertificateState;
  /** PEM certificate once issued. */
  certificate: string;
  /** The node's CSR, PEM, while pending. */
  csr: string;
  /** The common name, which is the node ID. */
  cn: string;
  role: NodeRole;
}

export interface Node extends StoredObjectBase {
  spec: NodeSpec;
  /** The role the node currently has (reconciled towards spec.role by the role manager). */
  role: NodeRole;
  description?: NodeDescription;
  status: NodeStatus;
  managerStatus?: ManagerStatus;
  certificate?: NodeCertificate;
  /** Addresses on overlay networks the node itself is attached to (ingress). */
  attachments: { networkId: string; addresses: string[] }[];
}
