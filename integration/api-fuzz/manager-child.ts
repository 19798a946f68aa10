// The fuzzer's target, run as a child process (child-manager.ts forks it): the first manager of
// a new swarm, as `swarm init` makes it (root CA, node certificate, Raft bootstrapped on
// LevelDB in the data directory, the cluster, ingress network and node objects, every leader
// loop), with the real HTTP API on a unix socket. Started again with --resume on the same data
// directory it replays its log, as shoald does after a restart.
//
// Its parent talks to it over the IPC channel: `ready` once the API serves, `probe` answered
// once the event loop has turned (a blocked or dead loop does not answer), `stop` for a clean
// exit. A crash (an abort, an uncaught error) ends the process with its reason on stderr.
//
// Usage: node manager-child.js --data-dir DIR --socket PATH [--resume]

import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { pino, type Level } from 'pino';
import type { NodeCredentials } from '../../ca/ca-client.js';
import type { RootCA } from '../../ca/root-ca.js';
import { newSwarmIdentity } from '../../daemon/swarm-identity.js';
import { waitFor } from '../../daemon/wait-for.js';
import { freePort } from '../../manager/test/secured-manager.js';
import { createSwarmObjects } from '../../manager/swarm-init-objects.js';
import { Manager } from '../../manager/manager.js';
import { createApiServer, listenApiServer } from '../../manager/engineapi/server.js';
import type { ForwardedRequest, ForwardedResponse } from '../../manager/engineapi/swarm-control.js';
import type { FastifyInstance } from 'fastify';
import type { ChildMessage, ParentMessage } from './child-protocol.js';
import { NodeSwarmControl, type SwarmNodeView } from '../../daemon/node-swarm-control.js';
import { managerLeaveRefused, swarmExists, swarmNotLocked } from '../../manager/controlapi/index.js';
import { ApiError } from '../../manager/engineapi/errors.js';
import { serveForwarded } from '../../manager/engineapi/serve-forwarded.js';

/** The one refusal a real node would not give: leaving would end the cluster under test. */
class HarnessLeaveError extends ApiError {
  constructor() {
    super(501, 'the fuzz harness manager does not leave its swarm (it has no agent to tear down)');
    this.name = 'HarnessLeaveError';
  }
}

interface Identity {
  readonly credentials: NodeCredentials;
  readonly raftId: number;
  readonly advertiseAddr: string;
}

const IDENTITY_FILE = 'fuzz-identity.json';

function send(message: ChildMessage): void {
  process.send?.(message);
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      'data-dir': { type: 'string' },
      socket: { type: 'string' },
      resume: { type: 'boolean', default: false },
    },
  });
  const dataDir = values['data-dir'];
  const socketPath = values.socket;
  if (dataDir === undefined || socketPath === undefined) {
    throw new Error('usage: manager-child --data-dir DIR --socket PATH [--resume]');
  }
  const level = (process.env['SHOAL_FUZZ_LOG'] ?? 'error') as Level;
  const logger = pino({ level, base: { pid: process.pid } }, pino.destination(2));
  const served: { api?: FastifyInstance } = {};
  const runApiRequest = (req: ForwardedRequest): Promise<ForwardedResponse> => {
    if (!served.api) return Promise.reject(new Error('the API is not running yet'));
    return serveForwarded(served.api, req);
  };

  let identity: Identity;
  let ca: RootCA | undefined;
  if (values.resume) {
    identity = JSON.parse(await readFile(join(dataDir, IDENTITY_FILE), 'utf8')) as Identity;
  } else {
    const addr = `127.0.0.1:${await freePort()}`;
    const made = await newSwarmIdentity(addr, addr);
    ca = made.ca;
    identity = { credentials: made.creds, raftId: made.state.raftId!, advertiseAddr: addr };
    await writeFile(join(dataDir, IDENTITY_FILE), JSON.stringify(identity), { mode: 0o600 });
  }
  const { credentials, raftId, advertiseAddr } = identity;
  const manager = await Manager.start({
    raftId,
    dataDir,
    listenAddr: advertiseAddr,
    advertiseAddr,
    credentials,
    raft: values.resume ? { resume: true } : { bootstrap: true },
    runApiRequest,
    logger,
  });
  await waitFor(() => manager.replicated.raft.isLeader(), 20_000, 'the manager to lead its swarm');
  if (ca !== undefined) {
    await manager.store.update((tx) =>
      createSwarmObjects(tx, {
        clusterId: credentials.clusterId,
        ca,
        manager: {
          nodeId: credentials.nodeId,
          addr: '127.0.0.1',
          raftId,
          advertiseAddr,
          certPem: credentials.certPem,
          csrPem: '',
        },
      }),
    );
  }
  // shoald's own control over a node that is the first and only manager of its swarm and has no
  // agent (no Docker Engine: engine facts come from the host). init/join are refused as on any
  // node in a swarm, leave without force as on any manager; leaving with force would end the
  // cluster under test, which the fuzzer never asks for (fuzz-request.ts), and is refused.
  const node: SwarmNodeView = {
    nodeState: 'active',
    error: '',
    state: {
      version: 1,
      nodeId: credentials.nodeId,
      clusterId: credentials.clusterId,
      role: 'manager',
      raftId,
      listenAddr: advertiseAddr,
      advertiseAddr,
      managers: [],
    },
    credentials,
    manager,
    agent: undefined,
    init: () => Promise.reject(swarmExists()),
    join: () => Promise.reject(swarmExists()),
    leave: (force) => Promise.reject(force ? new HarnessLeaveError() : managerLeaveRefused()),
    // Never locked: the route refuses (409) before it gets here.
    unlock: () => Promise.reject(swarmNotLocked()),
  };
  const control = new NodeSwarmControl(node, join(dataDir, 'no-engine.sock'));
  const api = createApiServer({ control, logger, build: { version: '0.0.0-fuzz' } });
  served.api = api;
  await listenApiServer(api, { socketPath });

  process.on('message', (raw: unknown) => {
    const message = raw as ParentMessage;
    if (message.type === 'probe') {
      // Answered from a timer: a loop that a handler or leader loop keeps busy answers late.
      setTimeout(() => {
        const leader = manager.replicated.raft.leader();
        send({
          type: 'probe',
          id: message.id,
          leads: manager.replicated.raft.isLeader(),
          leaderId: leader.id,
          rssBytes: process.memoryUsage().rss,
        });
      }, 1);
    } else if (message.type === 'stop') {
      void api
        .close()
        .then(() => manager.close())
        .then(
          () => process.exit(0),
          (e: unknown) => {
            process.stderr.write(`manager-child: clean stop failed: ${String(e)}\n`);
            process.exit(3);
          },
        );
    }
  });
  send({ type: 'ready', socketPath, nodeId: credentials.nodeId });
}

main().catch((e: unknown) => {
  process.stderr.write(`manager-child: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  process.exit(2);
});
