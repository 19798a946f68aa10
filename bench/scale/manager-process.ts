// One manager of the scale bench, in its own process: the real manager (gRPC with mutual TLS on
// loopback, Raft on LevelDB, the CA, the dispatcher, every leader loop) and the real Docker API
// on a unix socket, without an agent (the managers run no tasks: the simulated nodes do). The
// first one makes a new swarm as `swarm init` does; the others join it as `swarm join` with the
// manager token does. The driver asks it over IPC for task counts and memory figures.
//
// Usage: node --expose-gc manager-process.js --dir DIR [--join ADDR --token TOKEN]

import { randomInt } from 'node:crypto';
import { mkdir, readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import type { FastifyInstance } from 'fastify';
import { pino } from 'pino';
import { joinSwarmPki, type NodeCredentials } from '../../ca/ca-client.js';
import { joinRaftGroup } from '../../daemon/control-at-leader.js';
import { NodeSwarmControl, type SwarmNodeView } from '../../daemon/node-swarm-control.js';
import type { SwarmMembership } from '../../daemon/node-state.js';
import { newSwarmIdentity } from '../../daemon/swarm-identity.js';
import { waitFor } from '../../daemon/wait-for.js';
import { freePort } from '../../manager/test/secured-manager.js';
import { managerLeaveRefused, swarmExists, swarmNotLocked } from '../../manager/controlapi/index.js';
import { createApiServer, listenApiServer } from '../../manager/engineapi/server.js';
import { serveForwarded } from '../../manager/engineapi/serve-forwarded.js';
import type { ForwardedRequest, ForwardedResponse } from '../../manager/engineapi/swarm-control.js';
import { Manager } from '../../manager/manager.js';
import { createSwarmObjects } from '../../manager/swarm-init-objects.js';
import type { ManagerMessage, ManagerRequest } from './protocol.js';

function send(m: ManagerMessage): void {
  process.send?.(m);
}

async function dirBytes(dir: string): Promise<number> {
  let total = 0;
  for (const name of await readdir(dir)) total += (await stat(join(dir, name))).size;
  return total;
}

interface Started {
  readonly manager: Manager;
  readonly creds: NodeCredentials;
  readonly state: SwarmMembership;
}

async function initSwarm(
  dir: string,
  addr: string,
  runApiRequest: Parameters<typeof Manager.start>[0]['runApiRequest'],
): Promise<Started> {
  const { ca, clusterId, nodeId, key, certPem, creds, state } = await newSwarmIdentity(addr, addr);
  const logger = pino({ level: process.env['SHOAL_SCALE_LOG'] ?? 'error' });
  const manager = await Manager.start({
    raftId: state.raftId!,
    dataDir: dir,
    listenAddr: addr,
    advertiseAddr: addr,
    credentials: creds,
    raft: { bootstrap: true },
    runApiRequest,
    logger,
  });
  await waitFor(() => manager.replicated.raft.isLeader(), 20_000, 'the first manager to lead');
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
  return { manager, creds, state };
}

async function joinSwarm(
  dir: string,
  addr: string,
  target: string,
  token: string,
  runApiRequest: Parameters<typeof Manager.start>[0]['runApiRequest'],
): Promise<Started> {
  const creds = await joinSwarmPki(target, token);
  const raftId = randomInt(1, 2 ** 47);
  const members = await joinRaftGroup(target, creds, raftId, addr);
  const logger = pino({ level: process.env['SHOAL_SCALE_LOG'] ?? 'error' });
  const manager = await Manager.start({
    raftId,
    dataDir: dir,
    listenAddr: addr,
    advertiseAddr: addr,
    credentials: creds,
    raft: { join: members },
    runApiRequest,
    logger,
  });
  await waitFor(
    () =>
      manager.replicated.raft.leader().id !== 0 &&
      manager.store.view((tx) => tx.get('nodes', creds.nodeId)) !== undefined,
    120_000,
    'the joining manager to catch up',
  );
  const state: SwarmMembership = {
    version: 1,
    nodeId: creds.nodeId,
    clusterId: creds.clusterId,
    role: 'manager',
    raftId,
    listenAddr: addr,
    advertiseAddr: addr,
    managers: [],
  };
  return { manager, creds, state };
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { dir: { type: 'string' }, join: { type: 'string' }, token: { type: 'string' } },
  });
  const dir = values.dir;
  if (dir === undefined) throw new Error('usage: manager-process --dir DIR [--join ADDR --token TOKEN]');
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const addr = `127.0.0.1:${await freePort()}`;
  const served: { api?: FastifyInstance } = {};
  const runApiRequest = (req: ForwardedRequest): Promise<ForwardedResponse> =>
    served.api ? serveForwarded(served.api, req) : Promise.reject(new Error('the API is not running yet'));
  const { manager, creds, state } =
    values.join !== undefined && values.token !== undefined
      ? await joinSwarm(dir, addr, values.join, values.token, runApiRequest)
      : await initSwarm(dir, addr, runApiRequest);
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
  const socket = join(dir, 'api.sock');
  const api = createApiServer({
    control: new NodeSwarmControl(node, join(dir, 'no-engine.sock')),
    build: { version: 'scale-bench' },
  });
  served.api = api;
  await listenApiServer(api, { socketPath: socket });
  const cluster = manager.store.view((tx) => tx.list('clusters')[0]);
  send({
    type: 'ready',
    nodeId: creds.nodeId,
    raftId: state.raftId!,
    addr,
    socket,
    ...(values.join === undefined && cluster !== undefined ? { tokens: cluster.rootCA.joinTokens } : {}),
  });

  // SHOAL_SCALE_TRACE=1: every 5 s, this manager's memory, role and Raft progress on stderr.
  if (process.env['SHOAL_SCALE_TRACE'] === '1') {
    const name = dir.slice(dir.lastIndexOf('/') + 1);
    const stalls = monitorEventLoopDelay({ resolution: 10 });
    stalls.enable();
    setInterval(() => {
      const longest = Math.round(stalls.max / 1e6);
      stalls.reset();
      const m = process.memoryUsage();
      const raft = manager.replicated.raft;
      const mb = (n: number): string => `${Math.round(n / 2 ** 20)}M`;
      process.stderr.write(
        `  [${name}] ${raft.isLeader() ? 'leader' : 'follower'} applied=${manager.store.appliedIndex} rss=${mb(m.rss)} heap=${mb(m.heapUsed)} external=${mb(m.external)} buffers=${mb(m.arrayBuffers)} longest-stall=${longest}ms\n`,
      );
    }, 5_000).unref();
  }
  process.on('message', (raw: unknown) => {
    const m = raw as ManagerRequest;
    if (m.type === 'count') {
      const raft = manager.replicated.raft;
      const counts = manager.store.view((tx) => {
        let assigned = 0;
        let running = 0;
        const tasks = tx.list('tasks');
        for (const t of tasks) {
          if (t.nodeId !== undefined && t.nodeId !== '') assigned++;
          if (t.desiredState === 'running' && t.status.state === 'running') running++;
        }
        return { total: tasks.length, assigned, running };
      });
      send({
        type: 'count',
        ...counts,
        leads: raft.isLeader(),
        leaderId: raft.leader().id,
        appliedIndex: manager.store.appliedIndex,
        viewsBehind: manager.dispatcher.viewBacklog.behind,
        viewBytesInFlight: manager.dispatcher.viewBacklog.inFlightBytes,
      });
    } else if (m.type === 'stats') {
      void (async () => {
        const gc = (globalThis as { gc?: () => void }).gc;
        for (let i = 0; i < 3; i++) {
          gc?.();
          await new Promise((r) => setTimeout(r, 50));
        }
        const mem = process.memoryUsage();
        send({
          type: 'stats',
          heapUsed: mem.heapUsed,
          rss: mem.rss,
          raftDirBytes: await dirBytes(join(dir, 'raft')),
          // Encoded in slices, as Raft takes its snapshots: encoding 100,000 tasks in one go
          // held the leader's loop past the election timeout, and the bench moved leadership.
          snapshotBytes: (await manager.store.captureSnapshot()(new AbortController().signal)).byteLength,
        });
      })();
    } else if (m.type === 'stop') {
      void api
        .close()
        .then(() => manager.close())
        .finally(() => process.exit(0));
    }
  });
}

main().catch((e: unknown) => {
  send({ type: 'failed', error: e instanceof Error ? (e.stack ?? e.message) : String(e) });
  process.exit(1);
});
