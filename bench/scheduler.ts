// Scheduler benchmark: placement decisions per second.
//
//   node dist/bench/scheduler.js            10,000 tasks over 1,000 nodes
//   SHOAL_BENCH_TASKS=100000 node dist/bench/scheduler.js
//
// 1. The scheduler loop end to end, cold (first in the process: nothing has run the scheduler or
//    written tasks before): tasks of 100 services (spread, reservations, a constraint) created
//    in a MemoryStore (LocalProposer) from their services' stored templates (as the orchestrator
//    creates them, in one transaction); the loop places them over nodes with labels and writes
//    them back in batched transactions; timed from the create until every task is assigned.
//    The headline counts the create in; the split shows how long the create took and the
//    placements alone (from the create applied until every task is assigned).
// 2. The pure decision (`schedule`), warm (after one run): the same tasks over the same nodes;
//    every placement is recorded on the nodes as it is made.

import { cpus } from 'node:os';
import { ManualClock } from '../api/clock/manual-clock.js';
import { NodeInfo } from '../manager/scheduler/node-info.js';
import { schedule } from '../manager/scheduler/schedule.js';
import { Scheduler } from '../manager/scheduler/scheduler.js';
import { deepFreeze } from '../manager/store/freeze.js';
import { LocalProposer } from '../manager/store/local-proposer.js';
import type { StoreEvent } from '../manager/store/events.js';
import type { Proposer } from '../manager/store/proposer.js';
import { MemoryStore } from '../manager/store/store.js';
import type { NewObject, Service, Task } from '../api/objects/index.js';
import { newNode, newService, newTask } from '../manager/store/test/fixtures.js';

const TASKS = Number(process.env['SHOAL_BENCH_TASKS'] ?? 10_000);
const NODES = Number(process.env['SHOAL_BENCH_NODES'] ?? 1_000);
const SERVICES = 100;

function nodeObject(i: number): NewObject<'nodes'> {
  const n = newNode(`node${i}`);
  n.spec.labels = { zone: `z${i % 3}` };
  n.description!.resources = { nanoCPUs: 64e9, memoryBytes: 256 * 2 ** 30, generic: [] };
  return n;
}

function serviceObject(s: number): NewObject<'services'> {
  const svc = newService(`svc${s}`, `service-${s}`, { kind: 'replicated', replicas: TASKS / SERVICES });
  svc.spec.taskTemplate.placement.constraints = ['node.role==worker'];
  if (s % 10 === 0) svc.spec.taskTemplate.placement.preferences = [{ spread: 'node.labels.zone' }];
  return svc;
}

function taskObjects(services: readonly NewObject<'services'>[]): NewObject<'tasks'>[] {
  const out: NewObject<'tasks'>[] = [];
  for (let i = 0; i < TASKS; i++) {
    const svc = services[i % SERVICES]!;
    const t = newTask(`task${i}`, svc.id, Math.floor(i / SERVICES) + 1);
    out.push({ ...t, spec: svc.spec.taskTemplate });
  }
  return out;
}

const meta = { version: 1, createdAt: '2024-01-01T00:00:00.000Z', updatedAt: '2024-01-01T00:00:00.000Z' };

function pure(): number {
  const nodes = new Map<string, NodeInfo>();
  for (let i = 0; i < NODES; i++) nodes.set(`node${i}`, new NodeInfo({ ...nodeObject(i), meta }));
  const services = Array.from({ length: SERVICES }, (_, s) => serviceObject(s));
  // Frozen, as the store hands them out (specs are then compared by a cached canonical form).
  const tasks: Task[] = taskObjects(services).map((t) => deepFreeze({ ...t, meta }));
  const byId = new Map<string, Service>(services.map((s) => [s.id, { ...s, meta }]));
  const start = process.hrtime.bigint();
  const decisions = schedule({ nodes, services: byId }, tasks);
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  const placed = decisions.filter((d) => 'nodeId' in d).length;
  if (placed !== TASKS) throw new Error(`only ${placed} of ${TASKS} tasks placed`);
  return ms;
}

async function loop(): Promise<{ ms: number; createMs: number; transactions: number }> {
  const clock = new ManualClock();
  // The LocalProposer applies a command within `propose`: the time it returns is when the
  // create was applied, before the scheduler (woken by its events) has done anything.
  const local = new LocalProposer();
  let createApplied: bigint | undefined;
  let timing = false;
  const proposer: Proposer = {
    propose(command, signal) {
      const applied = local.propose(command, signal);
      if (timing && createApplied === undefined) createApplied = process.hrtime.bigint();
      return applied;
    },
  };
  const store = new MemoryStore(proposer, { clock: clock.date });
  local.attach(store);
  const services = Array.from({ length: SERVICES }, (_, s) => serviceObject(s));
  await store.update((tx) => {
    for (let i = 0; i < NODES; i++) tx.create('nodes', nodeObject(i));
    for (const s of services) tx.create('services', s);
  });
  const ac = new AbortController();
  const scheduler = new Scheduler({ store, clock });
  const done = scheduler.run(ac.signal);
  // Each task holds its service's stored template, as the orchestrator makes them (newTask).
  const templates = store.view((tx) => new Map(tx.list('services').map((s) => [s.id, s.spec.taskTemplate])));
  const tasks = taskObjects(services).map((t) => ({ ...t, spec: templates.get(t.serviceId)! }));
  const before = store.appliedIndex;
  let assigned = 0;
  // The measuring watcher takes updates only, in batches (as the loops do): what it costs is
  // the instrument's, not the scheduler's.
  const watcher = store.watch({
    tables: ['tasks'],
    actions: ['update'],
    commits: false,
    bufferSize: TASKS * 3,
  });
  const start = process.hrtime.bigint();
  timing = true;
  await store.update((tx) => {
    for (const t of tasks) tx.create('tasks', t);
  });
  const isAssigned = (e: StoreEvent): boolean =>
    e.action === 'update' && e.table === 'tasks' && e.object.status.state === 'assigned';
  while (assigned < TASKS) {
    const first = await watcher.next();
    if (first.done === true) throw new Error(`the watcher closed after ${assigned} of ${TASKS} assignments`);
    if (isAssigned(first.value)) assigned++;
    for (const e of watcher.drain()) if (isAssigned(e)) assigned++;
  }
  watcher.close();
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  const createMs = Number(createApplied! - start) / 1e6;
  const transactions = store.appliedIndex - before - 1;
  ac.abort();
  await done;
  return { ms, createMs, transactions };
}

const cpu = cpus()[0]?.model ?? 'unknown CPU';
console.log(
  `scheduler benchmark: ${TASKS} tasks of ${SERVICES} services over ${NODES} nodes (${cpu}, node ${process.version})`,
);
// The loop first, so its figure is cold (the pure runs below would warm the scheduler's code).
const l = await loop();
const placeMs = l.ms - l.createMs;
console.log(
  `  scheduler loop + store: ${l.ms.toFixed(0)} ms, ${Math.round((TASKS / l.ms) * 1000)} placements/s (${l.transactions} transactions)`,
);
console.log(
  `    of which creating the tasks (one transaction): ${l.createMs.toFixed(0)} ms; placing them: ${placeMs.toFixed(0)} ms, ${Math.round((TASKS / placeMs) * 1000)} placements/s`,
);
pure(); // warm-up
const ms = pure();
console.log(`  schedule() (pure):      ${ms.toFixed(0)} ms, ${Math.round((TASKS / ms) * 1000)} decisions/s`);
