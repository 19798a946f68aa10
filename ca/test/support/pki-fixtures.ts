// Test fixtures: real root CAs and real node certificates, made with the production code.

import { generateId } from '../../../api/objects/ids.js';
import type { NodeRole } from '../../../api/objects/node.js';
import type { NodeCredentials } from '../../ca-client.js';
import { generateNodeKeyAndCsr, signNodeCertificate } from '../../node-certificate.js';
import { RootCA } from '../../root-ca.js';

export const CLUSTER_ID = 'c1uster0000000000000000id';

export interface FixtureNodeOptions {
  readonly nodeId?: string;
  readonly clusterId?: string;
  /** The CA's clock when signing (default: now). */
  readonly now?: Date;
  readonly expiryMs?: number;
}

/** A node of `role` certified by `ca`: its key made here, its CSR signed by the CA. */
export async function certifiedNode(
  ca: RootCA,
  role: NodeRole,
  options: FixtureNodeOptions = {},
): Promise<NodeCredentials> {
  const nodeId = options.nodeId ?? generateId();
  const clusterId = options.clusterId ?? CLUSTER_ID;
  const key = await generateNodeKeyAndCsr();
  const certPem = await signNodeCertificate(
    ca,
    key.csrPem,
    { nodeId, role, clusterId },
    {
      now: options.now ?? new Date(),
      ...(options.expiryMs !== undefined ? { expiryMs: options.expiryMs } : {}),
    },
  );
  return { nodeId, role, clusterId, rootCaPem: ca.certPem, certPem, keyPem: key.keyPem };
}

export async function newRootCA(): Promise<RootCA> {
  return RootCA.create();
}
