// Benchmark of the replicated store alone (no Raft, no disk): transactions/s for task-sized
// objects through the LocalProposer, the heap held by 100,000 tasks (equal specs shared, see
// manager/store/shared-parts.ts), the snapshot's size, encode and restore times, and the longest
// the event loop is held while a snapshot is taken.
//
//   node --expose-gc dist/bench/store-txn.js        (without --expose-gc the heap figure is
//                                                    process.memoryUsage() after settling)
//
// Each write goes the full path a replicated write takes: WriteTx, serialize the command,
// propose, decode, check, apply to tables and indexes, publish to watchers.

import { cpus } from 'node:os';
import { createLocalStore } from '../manager/store/local-proposer.js';
import type { MemoryStore } from '../manager/store/store.js';
import type { NewObject, TaskSpec } from '../api/objects/index.js';

const TASKS = 100_000;
const SERVICES = 100;
const NODES = 50;

const gc = (globalThis as { gc?: () => void }).gc;

function taskSpec(service: number): TaskSpec {
  return {
    containerSpec: {
      image: `registry.local:5000/app/service-${service}:1.4.2@sha256:${'ab12'.repeat(16)}`,
      labels: { 'com.example.team': 'platform', 'com.example.tier': 'backend' },
      command: ['/usr/local/bin/server'],
      args: ['--port', '8080', '--log-level', 'info'],
      env: ['NODE_ENV=production', `SERVICE_ID=${service}`, 'DB_HOST=db', 'CACHE_HOST=cache'],
      groups: [],
      tty: false,
      openStdin: false,
      readOnly: false,
      mounts: [{ type: 'volume', source: `data-${service}`, target: '/data', readOnly: false }],
      healthcheck: {
        test: ['CMD', 'wget', '-q', '-O-', 'http://localhost:8080/health'],
        interval: 10_000,
        timeout: 3000,
        startPeriod: 5000,
        retries: 3,
      },
      hosts: [],
      secrets: [],
      configs: [],
      sysctls: {},
      capabilityAdd: [],
      capabilityDrop: [],
    },
    resources: {
      limits: { nanoCPUs: 500_000_000, memoryBytes: 256 << 20, generic: [] },
      reservations: { nanoCPUs: 100_000_000, memoryBytes: 64 << 20, generic: [] },
    },
    restartPolicy: { condition: 'any', delay: 5000, maxAttempts: 0, window: 0 },
    placement: { constraints: ['node.role==worker'], preferences: [], maxReplicas: 0, platforms: [] },
    networks: [{ target: 'overlay-net-0001', aliases: [], driverOpts: {} }],
    forceUpdate: 0,
  };
}

function task(i: number): NewObject<'tasks'> {
  const service = i % SERVICES;
  return {
    id: `task${i.toString(36).padStart(21, '0')}`,
    serviceId: `svc${service.toString(36).padStart(22, '0')}`,
    slot: Math.floor(i / SERVICES) + 1,
    nodeId: `node${(i % NODES).toString(36).padStart(21, '0')}`,
    spec: taskSpec(service),
    specVersion: 12,
    serviceAnnotations: { name: `service-${service}`, labels: {} },
    desiredState: 'running',
    status: {
      timestamp: '2024-05-01T12:00:00.000Z',
      state: 'assigned',
      message: 'scheduler assigned task to node',
    },
    networksAttachments: [
      { networkId: 'overlay-net-0001', addresses: [`10.0.${(i >> 8) & 255}.${i & 255}/16`], aliases: [] },
    ],
  };
}

async function createTasks(store: MemoryStore, perTxn: number): Promise<number> {
  const start = performance.now();
  for (let i = 0; i < TASKS; i += perTxn) {
    await store.update((tx) => {
      for (let j = i; j < Math.min(TASKS, i + perTxn); j++) tx.create('tasks', task(j));
    });
  }
  return (performance.now() - start) / 1000;
}

async function updateStatuses(store: MemoryStore, perTxn: number): Promise<number> {
  const ids = store.view((tx) => tx.list('tasks').map((t) => t.id));
  const start = performance.now();
  for (let i = 0; i < ids.length; i += perTxn) {
    await store.update((tx) => {
      for (const id of ids.slice(i, i + perTxn)) {
        const t = tx.get('tasks', id)!;
        tx.update('tasks', {
          ...t,
          status: {
            ...t.status,
            state: 'running',
            message: 'started',
            timestamp: '2024-05-01T12:00:05.000Z',
          },
        });
      }
    });
  }
  return (performance.now() - start) / 1000;
}

async function settle(): Promise<number> {
  for (let i = 0; i < 3; i++) {
    if (gc !== undefined) gc();
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return process.memoryUsage().heapUsed;
}

/**
 * The longest the event loop went without running a timer while `work` ran: a timer due every
 * millisecond records the gaps between its runs.
 */
async function longestBlock(work: () => Promise<unknown>): Promise<number> {
  let last = performance.now();
  let longest = 0;
  const timer = setInterval(() => {
    const now = performance.now();
    longest = Math.max(longest, now - last);
    last = now;
  }, 1);
  await new Promise((resolve) => setTimeout(resolve, 20));
  await work();
  clearInterval(timer);
  return Math.max(longest, performance.now() - last);
}

/** A second of work in 8 ms slices that allocates nothing. */
async function spinInSlices(): Promise<void> {
  const end = performance.now() + 1000;
  while (performance.now() < end) {
    const sliceEnd = performance.now() + 8;
    while (performance.now() < sliceEnd);
    await new Promise((resolve) => setImmediate(resolve));
  }
}

async function median3(run: () => Promise<number>): Promise<number> {
  const runs = [await run(), await run(), await run()].sort((a, b) => a - b);
  return runs[1]!;
}

function fmt(n: number): string {
  return Math.round(n).toLocaleString('en-US');
}

async function main(): Promise<void> {
  console.log(`store-txn: node ${process.version}, ${cpus()[0]?.model ?? 'unknown cpu'} x${cpus().length}`);
  console.log(
    `heap measured with ${gc !== undefined ? 'global.gc (--expose-gc)' : 'process.memoryUsage() after settling (no --expose-gc)'}`,
  );
  const sample = JSON.stringify(task(1)).length;
  console.log(`task object: ${sample} bytes of JSON`);

  for (const perTxn of [1, 100]) {
    const store = createLocalStore();
    const secs = await createTasks(store, perTxn);
    const txns = Math.ceil(TASKS / perTxn);
    console.log(
      `create ${fmt(TASKS)} tasks, ${perTxn} per txn: ${secs.toFixed(2)} s, ${fmt(txns / secs)} txn/s, ${fmt(TASKS / secs)} tasks/s`,
    );
  }

  const baseline = await settle();
  let store: MemoryStore | undefined = createLocalStore();
  await createTasks(store, 100);
  const loaded = await settle();
  console.log(
    `heap for ${fmt(TASKS)} tasks: ${(loaded - baseline) / 2 ** 20 >= 0 ? ((loaded - baseline) / 2 ** 20).toFixed(1) : '?'} MiB (${fmt((loaded - baseline) / TASKS)} bytes/task, indexes included)`,
  );

  for (const perTxn of [1, 100]) {
    const secs = await updateStatuses(store, perTxn);
    const txns = Math.ceil(TASKS / perTxn);
    console.log(
      `update status of ${fmt(TASKS)} tasks, ${perTxn} per txn: ${secs.toFixed(2)} s, ${fmt(txns / secs)} txn/s, ${fmt(TASKS / secs)} tasks/s`,
    );
  }

  // How long the event loop is held while a snapshot is taken: snapshot() holds it for the whole
  // encode; the Raft node captures the state at once and encodes it in slices (a leader that
  // holds its loop for a second sends no heartbeats and is voted out). Median of 3 runs each,
  // measured first, while the heap holds this store only.
  const atOnce = await median3(() => longestBlock(() => Promise.resolve(store!.snapshot())));
  const sliced = await median3(() =>
    longestBlock(() => store!.captureSnapshot()(new AbortController().signal)),
  );
  // The floor on this machine: the same probe over a second of 8 ms slices of work that
  // allocates nothing (scheduling noise on a shared machine).
  const floor = await median3(() => longestBlock(spinInSlices));
  console.log(
    `snapshot: longest event-loop block ${sliced.toFixed(0)} ms captured and encoded in slices (encoded at once: ${atOnce.toFixed(0)} ms; floor here ${floor.toFixed(0)} ms)`,
  );

  let start = performance.now();
  const snap = store.snapshot();
  const snapSecs = (performance.now() - start) / 1000;
  start = performance.now();
  const restored = createLocalStore();
  restored.restore(store.appliedIndex, snap);
  const restoreSecs = (performance.now() - start) / 1000;
  start = performance.now();
  const same = restored.hash() === store.hash();
  const hashSecs = (performance.now() - start) / 2000;
  console.log(
    `snapshot of ${fmt(TASKS)} tasks: ${(snap.byteLength / 2 ** 20).toFixed(1)} MiB in ${snapSecs.toFixed(2)} s; restore ${restoreSecs.toFixed(2)} s; hash ${hashSecs.toFixed(2)} s (replicas equal: ${same})`,
  );
  // Format 1 (one JSON line per object, what managers before format 2 wrote), for comparison.
  start = performance.now();
  const v1 = store.snapshot(1);
  const v1Secs = (performance.now() - start) / 1000;
  console.log(
    `snapshot format 1 of the same: ${(v1.byteLength / 2 ** 20).toFixed(1)} MiB in ${v1Secs.toFixed(2)} s`,
  );

  // The keys are made before the clock starts: the figure is the lookups', not the objects'.
  const serviceIds = Array.from({ length: SERVICES }, (_, s) => task(s).serviceId);
  start = performance.now();
  let found = 0;
  const queries = 10_000;
  store.view((tx) => {
    for (let i = 0; i < queries; i++) found += tx.count('tasks', 'serviceId', serviceIds[i % SERVICES]!);
  });
  const querySecs = (performance.now() - start) / 1000;
  console.log(
    `index lookups (tasks by service, ${fmt(found / queries)} hits each): ${fmt(queries / querySecs)} lookups/s`,
  );
  store = undefined;
}

await main();
