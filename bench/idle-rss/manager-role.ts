// The idle-RSS bench's manager: what a manager's shoald runs after `swarm init` (the manager
// with gRPC and mutual TLS, Raft on LevelDB, the CA, the dispatcher, the leader loops; the Docker
// API on a unix socket; its own agent session, with a null executor).

import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import type { SwarmNodeView } from '../../daemon/node-swarm-control.js';
import { NodeSwarmControl } from '../../daemon/node-swarm-control.js';
import { newSwarmIdentity } from '../../daemon/swarm-identity.js';
import { waitFor } from '../../daemon/wait-for.js';
import { releaseYoungGeneration } from '../../daemon/young-generation.js';
import { managerLeaveRefused, swarmExists, swarmNotLocked } from '../../manager/controlapi/index.js';
import { createApiServer, listenApiServer } from '../../manager/engineapi/server.js';
import { serveForwarded } from '../../manager/engineapi/serve-forwarded.js';
import { Manager } from '../../manager/manager.js';
import { createSwarmObjects } from '../../manager/swarm-init-objects.js';
import { startNullSession } from './node-session.js';

export interface RunningNode {
  readonly addr?: string;
  readonly workerToken?: string;
  stop(): Promise<void>;
}

export async function runManager(dir: string, addr: string, logger: Logger): Promise<RunningNode> {
  const served: { api?: FastifyInstance } = {};
  const { ca, clusterId, nodeId, key, certPem, creds, state } = await newSwarmIdentity(addr, addr);
  // As SwarmNode.startManager: a manager gets V8's default young generation back.
  releaseYoungGeneration();
  const manager = await Manager.start({
    raftId: state.raftId!,
    dataDir: dir,
    listenAddr: addr,
    advertiseAddr: addr,
    credentials: creds,
    raft: { bootstrap: true },
    runApiRequest: (req) =>
      served.api ? serveForwarded(served.api, req) : Promise.reject(new Error('the API is not running yet')),
    logger,
  });
  await waitFor(() => manager.replicated.raft.isLeader(), 20_000, 'the manager to lead');
  await manager.store.update((tx) =>
    createSwarmObjects(tx, {
      clusterId,
      ca,
      manager: {
        nodeId,
        addr: '127.0.0.1',
        raftId: state.raftId!,
        advertiseAddr: addr,
        certPem,
        csrPem: key.csrPem,
      },
    }),
  );
  const refuse = (): Promise<never> => Promise.reject(swarmExists());
  const node: SwarmNodeView = {
    nodeState: 'active',
    error: '',
    state,
    credentials: creds,
    manager,
    agent: undefined,
    init: refuse,
    join: refuse,
    leave: () => Promise.reject(managerLeaveRefused()),
    unlock: () => Promise.reject(swarmNotLocked()),
  };
  const engine = join(dir, 'no-engine.sock');
  const api = createApiServer({
    control: new NodeSwarmControl(node, engine),
    engine: { socketPath: engine },
    build: { version: 'idle-rss-bench' },
  });
  served.api = api;
  await listenApiServer(api, { socketPath: join(dir, 'api.sock') });
  const session = startNullSession([addr], creds, 'idle-manager', logger);
  const workerToken = manager.store.view((tx) => tx.list('clusters')[0]?.rootCA.joinTokens.worker);
  return {
    addr,
    ...(workerToken !== undefined ? { workerToken } : {}),
    stop: async () => {
      await session.stop();
      await api.close();
      await manager.close();
    },
  };
}
