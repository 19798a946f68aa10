// Benchmark of the manager ↔ agent link: 1,000 simulated agents (real AgentSessions over
// loopback gRPC, in a worker thread) against one dispatcher on a real MemoryStore (local
// proposer: no Raft, no disk), each agent running 10 tasks. Prints the time for every agent to
// open its session and get its full set, then task status updates/s as all agents walk their
// tasks through accepted → preparing → ready → starting → running, with the number of store
// transactions they took (the dispatcher batches reports into group commits).
//
//   node --expose-gc dist/bench/dispatcher.js  (SHOAL_BENCH_AGENTS=N to change the fleet)
//   SHOAL_BENCH_OVERLAY=1 node dist/bench/dispatcher.js
//       every task on one overlay: each task that starts or stops running changes every node's
//       network view, which the dispatcher recomputes once per batch and sends where it changed

import { cpus } from 'node:os';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import * as grpc from '@grpc/grpc-js';
import pino from 'pino';
import { AgentSession } from '../agent/session/index.js';
import { Dispatcher, type Identify } from '../manager/dispatcher/index.js';
import { createLocalStore, type MemoryStore, type WriteTx } from '../manager/store/index.js';
import type { NewObject, TaskSpec, TaskState } from '../api/objects/index.js';
import { allocatedNetwork, newService, taskSpec as fixtureTaskSpec } from '../manager/store/test/fixtures.js';

const AGENTS = Number(process.env['SHOAL_BENCH_AGENTS'] ?? 1000);
const TASKS_PER_AGENT = 10;
/** SHOAL_BENCH_OVERLAY=1: every task is attached to one overlay, so network views change too. */
const OVERLAY = process.env['SHOAL_BENCH_OVERLAY'] === '1';
const NETWORK_ID = 'overnet';
const STATES: readonly TaskState[] = ['accepted', 'preparing', 'ready', 'starting', 'running'];
const logger = pino({ level: 'silent' });

const nodeId = (i: number): string => `node${i.toString(36).padStart(21, '0')}`;
const taskId = (i: number, j: number): string =>
  `task${(i * TASKS_PER_AGENT + j).toString(36).padStart(21, '0')}`;

/** The bench's stand-in for TLS identities: each agent names its node in its user agent. */
const identify: Identify = (call) => {
  const ua = call.metadata.get('user-agent')[0];
  const m = typeof ua === 'string' ? /bench-node\/(\S+)/.exec(ua) : null;
  return m?.[1] === undefined ? undefined : { nodeId: m[1], role: 'worker' };
};

function taskSpec(): TaskSpec {
  const spec = fixtureTaskSpec('registry.local:5000/app/web:1.4.2');
  return {
    ...spec,
    containerSpec: {
      ...spec.containerSpec,
      labels: { 'com.example.team': 'platform' },
      command: ['/usr/local/bin/server'],
      args: ['--port', '8080'],
      env: ['NODE_ENV=production', 'DB_HOST=db'],
    },
    ...(OVERLAY ? { networks: [{ target: NETWORK_ID, aliases: [], driverOpts: {} }] } : {}),
  };
}

/** The overlay address of task j of agent i: 10.128.0.0/16 holds all 65,534. */
function taskAddress(i: number, j: number): string {
  const n = i * TASKS_PER_AGENT + j + 2;
  return `10.128.${n >> 8}.${n & 255}/16`;
}

/** One overlay every task is attached to, and the ten services with their virtual IPs on it. */
function seedOverlay(tx: WriteTx): void {
  tx.create('networks', allocatedNetwork(NETWORK_ID, '10.128.0.0/16', 4097, 'overnet'));
  for (let j = 0; j < TASKS_PER_AGENT; j++) {
    const service = newService(`svc${j}`, `service-${j}`);
    service.spec.taskTemplate = taskSpec();
    service.endpoint = {
      spec: { mode: 'vip', ports: [] },
      ports: [],
      virtualIPs: [{ networkId: NETWORK_ID, addr: `10.128.255.${j + 1}/16` }],
    };
    tx.create('services', service);
  }
}

async function seed(store: MemoryStore): Promise<void> {
  await store.update((tx) => {
    if (OVERLAY) seedOverlay(tx);
    tx.create('clusters', {
      id: 'cluster',
      spec: {
        name: 'default',
        labels: {},
        orchestration: { taskHistoryRetentionLimit: 5 },
        raft: {
          snapshotInterval: 10_000,
          keepOldSnapshots: 0,
          logEntriesForSlowFollowers: 500,
          electionTick: 10,
          heartbeatTick: 1,
        },
        dispatcher: { heartbeatPeriod: 5000 },
        caConfig: { nodeCertExpiry: 90 * 24 * 3600 * 1000, externalCAs: [], forceRotate: 0 },
        encryptionConfig: { autoLockManagers: false },
      },
      rootCA: { caCert: '', caCertDigest: 'sha256:00', joinTokens: { worker: 'w', manager: 'm' } },
      defaultAddrPool: ['10.0.0.0/8'],
      subnetSize: 24,
      dataPathPort: 4789,
      unlockKeys: [],
    });
  });
  for (let i = 0; i < AGENTS; i += 100) {
    await store.update((tx) => {
      for (let k = i; k < Math.min(AGENTS, i + 100); k++) {
        tx.create('nodes', {
          id: nodeId(k),
          spec: { labels: {}, role: 'worker', availability: 'active' },
          role: 'worker',
          status: { state: 'unknown', message: '', addr: '' },
          attachments: [],
        });
        for (let j = 0; j < TASKS_PER_AGENT; j++) {
          const task: NewObject<'tasks'> = {
            id: taskId(k, j),
            serviceId: `svc${j}`,
            slot: k + 1,
            nodeId: nodeId(k),
            spec: taskSpec(),
            serviceAnnotations: { name: `service-${j}`, labels: {} },
            desiredState: 'running',
            status: { timestamp: '2024-05-01T12:00:00.000Z', state: 'assigned', message: 'assigned' },
            networksAttachments: OVERLAY
              ? [{ networkId: NETWORK_ID, addresses: [taskAddress(k, j)], aliases: [] }]
              : [],
          };
          tx.create('tasks', task);
        }
      }
    });
  }
}

/** Resolves when `count` task updates to `state` were applied. */
function applied(store: MemoryStore, state: TaskState, count: number): Promise<void> {
  const watcher = store.watch({
    tables: ['tasks'],
    commits: false,
    predicate: (e) => e.action === 'update' && e.table === 'tasks' && e.object.status.state === state,
  });
  return (async () => {
    for (let n = 0; n < count; n++) await watcher.next();
    watcher.close();
  })();
}

const fmt = (n: number): string => Math.round(n).toLocaleString('en-US');

async function main(): Promise<void> {
  console.log(`dispatcher: node ${process.version}, ${cpus()[0]?.model ?? 'unknown cpu'} x${cpus().length}`);
  console.log(
    `${fmt(AGENTS)} agents (one worker thread) x ${TASKS_PER_AGENT} tasks, one dispatcher (main thread), local store` +
      (OVERLAY ? ', every task on one overlay' : ''),
  );
  const store = createLocalStore();
  await seed(store);
  const server = new grpc.Server();
  const dispatcher = new Dispatcher({ store, identify, logger });
  dispatcher.register(server);
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (e, p) =>
      e ? reject(e) : resolve(p),
    ),
  );
  const controller = new AbortController();
  const running = dispatcher.run(controller.signal);

  const worker = new Worker(new URL(import.meta.url), { workerData: { addr: `127.0.0.1:${port}` } });
  const fromWorker = (): Promise<string> => new Promise((resolve) => worker.once('message', resolve));

  let start = performance.now();
  worker.postMessage('connect');
  await fromWorker();
  const connectSecs = (performance.now() - start) / 1000;
  console.log(
    `sessions + full sets for ${fmt(AGENTS)} agents: ${connectSecs.toFixed(2)} s (${fmt(AGENTS / connectSecs)} sessions/s)`,
  );

  const total = AGENTS * TASKS_PER_AGENT;
  let allSecs = 0;
  const index0 = store.appliedIndex;
  for (const state of STATES) {
    const done = applied(store, state, total);
    const before = store.appliedIndex;
    start = performance.now();
    worker.postMessage(state);
    await done;
    const secs = (performance.now() - start) / 1000;
    allSecs += secs;
    const txns = store.appliedIndex - before;
    console.log(
      `  -> ${state.padEnd(9)} ${fmt(total)} updates in ${secs.toFixed(2)} s: ${fmt(total / secs)} updates/s, ${fmt(txns)} store txns (${fmt(total / Math.max(1, txns))} updates/txn)`,
    );
  }
  const txns = store.appliedIndex - index0;
  console.log(
    `status updates: ${fmt((total * STATES.length) / allSecs)} updates/s overall (${fmt(total * STATES.length)} updates, ${fmt(txns)} store txns)`,
  );

  // The manager's side alone: this thread's heap holds the store, the dispatcher and its sessions
  // (the agents live in the worker thread's own heap).
  const gc = (globalThis as { gc?: () => void }).gc;
  for (let i = 0; i < 3; i++) {
    gc?.();
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  const heapMiB = process.memoryUsage().heapUsed / 2 ** 20;
  console.log(
    `manager heap with ${fmt(total)} tasks and ${fmt(AGENTS)} sessions: ${heapMiB.toFixed(1)} MiB` +
      (gc === undefined ? ' (run with --expose-gc for a settled figure)' : ''),
  );

  worker.postMessage('stop');
  await fromWorker();
  await worker.terminate();
  controller.abort();
  await running;
  server.forceShutdown();
}

function agents(addr: string): void {
  const port = parentPort;
  if (port === null) throw new Error('agents must run in a worker thread');
  let fullSets = 0;
  let onFull: (() => void) | undefined;
  const description = {
    hostname: 'bench',
    platform: { architecture: 'x86_64', os: 'linux' },
    resources: { nanoCPUs: 4e9, memoryBytes: 8 * 2 ** 30, generic: [] },
    engine: { engineVersion: '20.10.24', labels: {}, plugins: [] },
  };
  const sessions = Array.from(
    { length: AGENTS },
    (_, i) =>
      new AgentSession({
        managers: [addr],
        credentials: grpc.credentials.createInsecure(),
        // A local subchannel pool: a real agent has one client per process, and grpc-js's
        // global pool compares options with every existing channel (quadratic for 1,000).
        channelOptions: {
          'grpc.primary_user_agent': `bench-node/${nodeId(i)}`,
          'grpc.use_local_subchannel_pool': 1,
        },
        nodeDescription: { ...description, hostname: `host-${i}` },
        onAssignments: (c) => {
          if (c.full && ++fullSets === AGENTS) onFull?.();
        },
        logger,
        sessionTimeoutMs: 60_000,
        callTimeoutMs: 60_000,
      }),
  );
  port.on('message', (msg: string) => {
    if (msg === 'connect') {
      onFull = () => port.postMessage('connected');
      for (const s of sessions) s.start();
      return;
    }
    if (msg === 'stop') {
      void Promise.all(sessions.map((s) => s.stop())).then(() => port.postMessage('stopped'));
      return;
    }
    const timestamp = new Date().toISOString();
    sessions.forEach((s, i) =>
      s.reportStatus(
        Array.from({ length: TASKS_PER_AGENT }, (_, j) => ({
          taskId: taskId(i, j),
          status: { timestamp, state: msg as TaskState, message: msg },
        })),
      ),
    );
  });
}

if (isMainThread) await main();
else agents((workerData as { addr: string }).addr);
