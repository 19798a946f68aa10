// A real manager for the identity tests: Manager.start with a real root CA and mutual TLS on
// 127.0.0.1 (a port free at start), a one-member Raft group on LevelDB, the Cluster object `swarm init` makes
// and its own Node; and clients that dial it with whatever certificate a test hands them.

import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as grpc from '@grpc/grpc-js';
import { pino } from 'pino';
import type { ForwardedRequest } from '../engineapi/swarm-control.js';
import type { NodeCredentials } from '../../ca/ca-client.js';
import { RootCA } from '../../ca/root-ca.js';
import { certifiedNode } from '../../ca/test/support/pki-fixtures.js';
import { channelCredentials, NODE_CHANNEL_OPTIONS } from '../../ca/tls-credentials.js';
import { newClusterObject } from '../cluster-defaults.js';
import { Manager, type ManagerOptions } from '../manager.js';
import type { NewObject } from '../../api/objects/index.js';

const logger = pino({ level: process.env['SHOAL_TEST_LOG'] ?? 'silent' });

export const SECURED_CLUSTER_ID = 'securedc1uster00000000000';
export const SELF_NODE_ID = 'manager-self';
export const SELF_RAFT_ID = 1;

export interface SecuredManager {
  readonly manager: Manager;
  readonly ca: RootCA;
  readonly target: string;
  /** API requests the manager ran for Control.Forward callers. */
  readonly forwarded: ForwardedRequest[];
  close(): Promise<void>;
}

async function waitFor(cond: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** A port free right now on 127.0.0.1: a manager names its address before it listens. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const a = s.address();
      s.close(() => (typeof a === 'object' && a ? resolve(a.port) : reject(new Error('no port'))));
    });
  });
}

/**
 * Starts a manager that leads its own swarm, with the cluster object and its own node recorded
 * (`options`: more of the manager's options, e.g. its dashboard).
 */
export async function startSecuredManager(
  options: Pick<ManagerOptions, 'dashboard'> = {},
): Promise<SecuredManager> {
  const dir = await mkdtemp(join(tmpdir(), 'shoal-identity-'));
  const ca = await RootCA.create();
  const self = await certifiedNode(ca, 'manager', { nodeId: SELF_NODE_ID, clusterId: SECURED_CLUSTER_ID });
  const forwarded: ForwardedRequest[] = [];
  // Other managers reach it at its advertised address: it must be the real one.
  const address = `127.0.0.1:${await freePort()}`;
  const manager = await Manager.start({
    raftId: SELF_RAFT_ID,
    dataDir: dir,
    listenAddr: address,
    advertiseAddr: address,
    credentials: self,
    raft: { bootstrap: true },
    runApiRequest: (req) => {
      forwarded.push(req);
      return Promise.resolve({ status: 200, headers: {}, body: new TextEncoder().encode('{}') });
    },
    logger,
    tickMs: 20,
    ...options,
  });
  const close = async (): Promise<void> => {
    await manager.close();
    await rm(dir, { recursive: true, force: true });
  };
  try {
    await waitFor(() => manager.replicated.raft.isLeader(), 'the manager to lead');
    await manager.store.update((tx) => {
      tx.create('clusters', newClusterObject(SECURED_CLUSTER_ID, ca));
      tx.create('nodes', {
        ...memberNode(SELF_NODE_ID, 'manager', 'manager'),
        managerStatus: { raftId: SELF_RAFT_ID, addr: address, leader: true, reachability: 'reachable' },
      });
    });
    await waitFor(() => manager.dispatcher.running, 'the dispatcher to run');
  } catch (e: unknown) {
    await close();
    throw e;
  }
  return { manager, ca, target: `127.0.0.1:${manager.port}`, forwarded, close };
}

/** A Node record as the CA and the role manager leave it. */
export function memberNode(
  id: string,
  desiredRole: 'worker' | 'manager',
  role: 'worker' | 'manager',
): NewObject<'nodes'> {
  return {
    id,
    spec: { labels: {}, role: desiredRole, availability: 'active' },
    role,
    status: { state: 'unknown', message: '', addr: '127.0.0.1' },
    attachments: [],
  };
}

/** A node certificate of the secured cluster signed by its CA. */
export function nodeCertificate(
  m: SecuredManager,
  nodeId: string,
  role: 'worker' | 'manager',
  clusterId = SECURED_CLUSTER_ID,
): Promise<NodeCredentials> {
  return certifiedNode(m.ca, role, { nodeId, clusterId });
}

/**
 * A client of the manager that trusts its root and presents `identity` (a certificate and key,
 * whoever signed them), or no certificate at all.
 */
export function clientOf(
  m: SecuredManager,
  identity: { readonly certPem: string; readonly keyPem: string } | undefined,
): grpc.Client {
  const creds = channelCredentials({
    rootCaPem: m.ca.certPem,
    ...(identity !== undefined ? { identity: { certPem: identity.certPem, keyPem: identity.keyPem } } : {}),
  });
  return new grpc.Client(m.target, creds, NODE_CHANNEL_OPTIONS);
}
