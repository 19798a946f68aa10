// The idle-RSS bench's worker: what a worker's shoald runs after `swarm join` with the worker
// token (the Docker API's socket, its server loaded on the first connection as shoald does; the agent
// session with a null executor, the certificate renewal that follows root rotations); no
// manager.

import { join } from 'node:path';
import type { Logger } from 'pino';
import {
  fetchAnnouncedRoot,
  fetchSwarmRoots,
  joinSwarmPki,
  renewNodeCertificate,
} from '../../ca/ca-client.js';
import { CertRenewal } from '../../daemon/cert-renewal.js';
import { LazyApiServer } from '../../daemon/lazy-api-server.js';
import { NodeSwarmControl, type SwarmNodeView } from '../../daemon/node-swarm-control.js';
import type { SwarmMembership } from '../../daemon/node-state.js';
import { startNullSession } from './node-session.js';
import type { RunningNode } from './manager-role.js';

class Refused extends Error {}

export async function runWorker(
  dir: string,
  managerAddr: string,
  token: string,
  logger: Logger,
): Promise<RunningNode> {
  let creds = await joinSwarmPki(managerAddr, token);
  const state: SwarmMembership = {
    version: 1,
    nodeId: creds.nodeId,
    clusterId: creds.clusterId,
    role: 'worker',
    listenAddr: '0.0.0.0:2377',
    advertiseAddr: '127.0.0.1:2377',
    managers: [{ nodeId: '', addr: managerAddr }],
  };
  const refuse = (): Promise<never> => Promise.reject(new Refused('this bench node is already in a swarm'));
  const node: SwarmNodeView = {
    nodeState: 'active',
    error: '',
    state,
    credentials: creds,
    manager: undefined,
    agent: undefined,
    init: refuse,
    join: refuse,
    leave: refuse,
    unlock: refuse,
  };
  const engine = join(dir, 'no-engine.sock');
  // As Daemon.start on a worker: the API server is built on the socket's first connection.
  const control = new NodeSwarmControl(node, engine);
  const api = new LazyApiServer(async () => {
    const { createApiServer } = await import('../../manager/engineapi/server.js');
    return createApiServer({
      control,
      engine: { socketPath: engine },
      build: { version: 'idle-rss-bench' },
      fedConnections: true,
    });
  }, logger);
  await api.listen(join(dir, 'api.sock'));
  const renewal = new CertRenewal({
    current: () => creds,
    target: () => managerAddr,
    renew: renewNodeCertificate,
    onRenewed: (renewed) => {
      creds = renewed;
      return Promise.resolve();
    },
    fetchRoots: fetchSwarmRoots,
    announcedRoot: fetchAnnouncedRoot,
    logger,
  });
  renewal.start();
  // As shoald: the session names the swarm's roots; they are fetched only when that changes.
  const session = startNullSession([managerAddr], creds, 'idle-worker', logger, (info) =>
    renewal.rootsAnnounced(info?.rootsDigest),
  );
  return {
    stop: async () => {
      renewal.stop();
      await session.stop();
      await api.close();
    },
  };
}
