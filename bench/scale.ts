// The scale harness: three real managers (separate processes: gRPC with mutual TLS, Raft on
// LevelDB, the CA, the dispatcher, the Docker API on unix sockets) and simulated nodes that speak
// the real dispatcher protocol with a null executor (bench/scale/node-simulator.ts, many per
// process). It creates the services through the API and prints: the time from the first
// `service create` to every task running; placements/s through the store; p50/p99 latency of
// `service ls` and `node ls` during that; the leader's heap and RSS (per task); the Raft log and
// snapshot sizes; the bytes one node receives when one task of a shared overlay starts; leader
// failover time at full size; the time a new manager takes to catch up. The last line is:
//   scale: nodes=N tasks=T converge_s=X placements_per_s=P heap_bytes_per_task=H failover_s=F
//
//   npm run bench:scale                    (50 nodes, 2,000 tasks: what CI runs)
//   SHOAL_SCALE_NODES=2000 SHOAL_SCALE_TASKS=100000 npm run bench:scale
// Other knobs: SHOAL_SCALE_SERVICES (100), SHOAL_SCALE_SHARE (share of the services on one
// overlay, 0.5), SHOAL_SCALE_NODES_PER_PROCESS (500), SHOAL_SCALE_DELAY_MS (task start delay, 200),
// SHOAL_SCALE_PROFILE=DIR (every process writes a V8 CPU profile to DIR; the run then stops
// after convergence, every process exiting cleanly so its profile is written), SHOAL_SCALE_TRACE=1
// (every manager prints its memory and Raft progress every 5 s; `kill -USR2` writes a heap snapshot).

import { fork, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { cpus, setPriority, tmpdir } from 'node:os';
import { join } from 'node:path';
import { DockerApi } from '../cli/client/docker-api.js';
import { DaemonError } from '../cli/client/errors.js';
import { parseHost } from '../cli/client/host.js';
import { HttpTransport } from '../cli/client/http-transport.js';
import type { DockerServiceSpec } from '../cli/client/types.js';
import type {
  ManagerMessage,
  ManagerRequest,
  ManagerStats,
  SimulatorMessage,
  SimulatorRequest,
  TaskCount,
} from './scale/protocol.js';

function envInt(name: string, fallback: number): number {
  const v = Number(process.env[name] ?? fallback);
  if (!Number.isFinite(v) || v < 0) throw new Error(`${name} must be a non-negative number`);
  return v;
}

const NODES = envInt('SHOAL_SCALE_NODES', 50);
const TASKS = envInt('SHOAL_SCALE_TASKS', 2_000);
const SERVICES = Math.max(1, Math.min(envInt('SHOAL_SCALE_SERVICES', 100), TASKS));
const SHARE = Math.min(1, envInt('SHOAL_SCALE_SHARE', 0.5));
const PER_PROCESS = Math.max(1, envInt('SHOAL_SCALE_NODES_PER_PROCESS', 500));
const DELAY_MS = envInt('SHOAL_SCALE_DELAY_MS', 200);
const OVERLAY = 'scale-net';
const PROFILE_DIR = process.env['SHOAL_SCALE_PROFILE'];
const CREATE_CONCURRENCY = 8;
/** Scheduling priority of the simulated nodes' processes (lower than the managers'). */
const SIMULATOR_NICE = 10;
const STEP_TIMEOUT_MS = Math.max(120_000, TASKS * 20);

const here = new URL('./scale/', import.meta.url).pathname;
const fmt = (n: number): string => Math.round(n).toLocaleString('en-US');
const mib = (n: number): string => `${(n / 2 ** 20).toFixed(1)} MiB`;
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/**
 * `service create`, retried as a user would when the managers answer that they are busy
 * electing a leader (503); a name already taken after such an answer means it went through.
 */
async function createService(api: DockerApi, spec: DockerServiceSpec): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    try {
      await api.serviceCreate(spec);
      return;
    } catch (e: unknown) {
      if (!(e instanceof DaemonError)) throw e;
      if (attempt > 0 && e.status === 409) return;
      if (e.status !== 503 || attempt >= 5) throw e;
      await sleep(1_000);
    }
  }
}

/** A forked process that answers typed requests over IPC, one at a time. */
class Child<Req extends { type: string }, Msg extends { type: string }> {
  readonly proc: ChildProcess;
  readonly #waiting = new Map<string, ((m: Msg) => void)[]>();
  #failure: Error | undefined;

  constructor(script: string, args: string[], what: string) {
    this.proc = fork(join(here, script), args, {
      execArgv: [
        '--expose-gc',
        ...(PROFILE_DIR !== undefined ? ['--cpu-prof', `--cpu-prof-dir=${PROFILE_DIR}`] : []),
        // With tracing on, `kill -USR2 PID` writes a heap snapshot to the working directory.
        ...(process.env['SHOAL_SCALE_TRACE'] === '1' ? ['--heapsnapshot-signal=SIGUSR2'] : []),
      ],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    this.proc.on('message', (raw: unknown) => {
      const m = raw as Msg & { error?: string };
      if (m.type === 'failed') this.#failure = new Error(`${what} failed: ${m.error ?? ''}`);
      const queue = this.#waiting.get(m.type);
      queue?.shift()?.(m);
    });
    this.proc.on('exit', (code, signal) => {
      this.#failure ??= new Error(`${what} exited (${code ?? signal})`);
      for (const q of this.#waiting.values()) q.length = 0;
    });
  }

  /** The next message of `type` (after sending `req`, if given). */
  next<T extends Msg['type']>(type: T, req?: Req, ms = STEP_TIMEOUT_MS): Promise<Extract<Msg, { type: T }>> {
    return new Promise((resolve, reject) => {
      if (this.#failure !== undefined) return reject(this.#failure);
      const timer = setTimeout(() => reject(this.#failure ?? new Error(`no ${type} answer in ${ms} ms`)), ms);
      const q = this.#waiting.get(type) ?? [];
      q.push((m) => {
        clearTimeout(timer);
        resolve(m as Extract<Msg, { type: T }>);
      });
      this.#waiting.set(type, q);
      if (req !== undefined) this.proc.send(req);
    });
  }

  get alive(): boolean {
    return this.proc.exitCode === null && this.proc.signalCode === null;
  }

  kill(signal: NodeJS.Signals = 'SIGKILL'): void {
    this.proc.kill(signal);
  }
}

/** Asks every process still alive to stop, and waits up to 20 s for them to exit. */
async function stopGently(
  children: readonly { readonly proc: ChildProcess; readonly alive: boolean }[],
): Promise<void> {
  const exits = children
    .filter((c) => c.alive)
    .map((c) => {
      const exited = new Promise<void>((r) => c.proc.once('exit', () => r()));
      c.proc.send({ type: 'stop' });
      return exited;
    });
  await Promise.race([Promise.all(exits), sleep(20_000)]);
}

type ManagerChild = Child<ManagerRequest, ManagerMessage>;
type SimulatorChild = Child<SimulatorRequest, SimulatorMessage>;

interface RunningManager {
  readonly child: ManagerChild;
  readonly ready: Extract<ManagerMessage, { type: 'ready' }>;
  readonly api: DockerApi;
}

async function startManager(dir: string, join?: { addr: string; token: string }): Promise<RunningManager> {
  const args = ['--dir', dir, ...(join ? ['--join', join.addr, '--token', join.token] : [])];
  const child: ManagerChild = new Child(`manager-process.js`, args, `manager in ${dir}`);
  const ready = await child.next('ready');
  return { child, ready, api: new DockerApi(new HttpTransport(parseHost(`unix://${ready.socket}`))) };
}

async function count(m: RunningManager): Promise<TaskCount> {
  return m.child.next('count', { type: 'count' });
}

async function stats(m: RunningManager): Promise<ManagerStats> {
  return m.child.next('stats', { type: 'stats' });
}

/** The manager that leads, among those alive. */
async function leaderOf(managers: readonly RunningManager[]): Promise<RunningManager> {
  const end = Date.now() + 30_000;
  while (Date.now() < end) {
    for (const m of managers) {
      if (m.child.alive && (await count(m)).leads) return m;
    }
    await sleep(50);
  }
  throw new Error('no manager leads');
}

function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

/** Latencies of `service ls` and `node ls` against `m`, sampled until `stop` resolves. */
async function sampleLatency(
  m: RunningManager,
  stop: Promise<unknown>,
): Promise<{ services: number[]; nodes: number[] }> {
  const out = { services: [] as number[], nodes: [] as number[] };
  let done = false;
  void stop.finally(() => (done = true));
  while (!done) {
    let t = performance.now();
    await m.api.serviceList();
    out.services.push(performance.now() - t);
    t = performance.now();
    await m.api.nodeList();
    out.nodes.push(performance.now() - t);
    await sleep(100);
  }
  out.services.sort((a, b) => a - b);
  out.nodes.sort((a, b) => a - b);
  return out;
}

async function waitFor<T>(
  what: string,
  probe: () => Promise<T | undefined>,
  ms = STEP_TIMEOUT_MS,
  everyMs = 200,
): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await probe();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await sleep(everyMs);
  }
}

/**
 * The ingress network holds an address for every node: Docker's default (10.0.0.0/24) has 254,
 * so a larger swarm replaces it before its nodes join, as a Swarm operator does (`docker network
 * rm ingress`, then `docker network create --driver overlay --ingress --subnet ...`).
 */
async function widenIngress(api: DockerApi): Promise<void> {
  const prefix = Math.min(24, 32 - Math.ceil(Math.log2(NODES + 64)));
  const subnet = `10.64.0.0/${prefix}`;
  await api.transport.request('DELETE', '/v1.41/networks/ingress');
  await api.transport.request('POST', '/v1.41/networks/create', {
    body: { Name: 'ingress', Driver: 'overlay', Ingress: true, IPAM: { Config: [{ Subnet: subnet }] } },
  });
  console.log(`ingress network replaced with ${subnet} (the default /24 holds 254 nodes)`);
}

function serviceSpec(i: number, replicas: number, overlay: boolean): DockerServiceSpec {
  return {
    Name: `svc-${i}`,
    TaskTemplate: {
      ContainerSpec: { Image: 'bench/app:1' },
      ...(overlay ? { Networks: [{ Target: OVERLAY }] } : {}),
    },
    Mode: { Replicated: { Replicas: replicas } },
  };
}

async function main(): Promise<void> {
  console.log(`scale: node ${process.version}, ${cpus()[0]?.model ?? 'unknown cpu'} x${cpus().length}`);
  console.log(
    `${fmt(NODES)} simulated nodes (${Math.ceil(NODES / PER_PROCESS)} processes), ${fmt(TASKS)} tasks in ${SERVICES} services (${Math.round(SHARE * 100)} % on one overlay), 3 managers`,
  );
  const root = await mkdtemp(join(tmpdir(), 'shoal-scale-'));
  const managers: RunningManager[] = [];
  const simulators: SimulatorChild[] = [];
  try {
    let t = performance.now();
    const first = await startManager(join(root, 'm1'));
    managers.push(first);
    const tokens = first.ready.tokens!;
    for (const name of ['m2', 'm3']) {
      managers.push(await startManager(join(root, name), { addr: first.ready.addr, token: tokens.manager }));
    }
    console.log(`managers up: ${((performance.now() - t) / 1000).toFixed(1)} s`);
    if (NODES + managers.length + 16 > 254) await widenIngress(first.api);

    t = performance.now();
    for (let i = 0, p = 0; i < NODES; i += PER_PROCESS, p++) {
      const n = Math.min(PER_PROCESS, NODES - i);
      const args = [
        '--manager',
        managers[p % managers.length]!.ready.addr,
        '--token',
        tokens.worker,
        '--count',
        String(n),
        '--first',
        String(i),
        '--delay-ms',
        String(DELAY_MS),
        ...(p === 0 ? ['--proxy'] : []),
      ];
      const sim: SimulatorChild = new Child(`node-simulator.js`, args, `node simulator ${p}`);
      // Real nodes run on their own machines: here they share the managers' cores, and must not
      // starve them (a leader that cannot answer its followers in time loses its leadership).
      if (sim.proc.pid !== undefined) setPriority(sim.proc.pid, SIMULATOR_NICE);
      simulators.push(sim);
    }
    await Promise.all(simulators.map((s) => s.next('sessions')));
    await waitFor('every simulated node ready', async () => {
      const ready = (await first.api.nodeList()).filter((n) => n.Status?.State === 'ready').length;
      return ready >= NODES ? ready : undefined;
    });
    console.log(`${fmt(NODES)} nodes joined and ready: ${((performance.now() - t) / 1000).toFixed(1)} s`);

    const overlayServices = Math.round(SERVICES * SHARE);
    if (overlayServices > 0) {
      // Sized for its tasks, the services' VIPs and every node's own address on it.
      const needed = Math.ceil(TASKS * SHARE) + overlayServices + NODES + 16;
      const prefix = Math.min(24, 32 - Math.ceil(Math.log2(needed)));
      await first.api.transport.request('POST', '/v1.41/networks/create', {
        body: {
          Name: OVERLAY,
          Driver: 'overlay',
          CheckDuplicate: true,
          IPAM: { Config: [{ Subnet: `10.128.0.0/${prefix}` }] },
        },
      });
    }
    const leader = await leaderOf(managers);
    const before = await stats(leader);

    // Convergence: from the first create to every task running.
    const per = Math.floor(TASKS / SERVICES);
    let converged!: () => void;
    const convergedP = new Promise<void>((r) => (converged = r));
    const latency = sampleLatency(first, convergedP);
    const t0 = performance.now();
    // Created as a team would script it: several `service create` calls in flight at once.
    let nextService = 0;
    const creating = Promise.all(
      Array.from({ length: Math.min(CREATE_CONCURRENCY, SERVICES) }, async () => {
        while (nextService < SERVICES) {
          const i = nextService++;
          const replicas = per + (i < TASKS - per * SERVICES ? 1 : 0);
          await createService(first.api, serviceSpec(i, replicas, i < overlayServices));
        }
      }),
    ).then(() => (performance.now() - t0) / 1000);
    // A create that fails for good ends the wait below (not the process, with managers left running).
    let createFailure: Error | undefined;
    creating.catch((e: unknown) => (createFailure = e instanceof Error ? e : new Error(String(e))));
    // Placements through the store: from the first task placed to the last.
    let firstPlacedAt = 0;
    let placedAt = 0;
    let shown = 0;
    await waitFor(
      'every task running',
      async () => {
        if (createFailure !== undefined) throw createFailure;
        const c = await count(leader);
        const now = performance.now();
        if (firstPlacedAt === 0 && c.assigned > 0) firstPlacedAt = now;
        if (placedAt === 0 && c.assigned >= TASKS) placedAt = now;
        if (now - shown > 5_000) {
          shown = now;
          process.stderr.write(
            `  ${fmt(c.total)} tasks, ${fmt(c.assigned)} placed, ${fmt(c.running)} running\n`,
          );
        }
        return c.running >= TASKS ? c : undefined;
      },
      STEP_TIMEOUT_MS,
      // Each count walks every task on the leader: more often would load the leader it measures.
      TASKS > 10_000 ? 250 : 50,
    );
    const createdS = await creating;
    const placedS = (placedAt - t0) / 1000;
    const convergeS = (performance.now() - t0) / 1000;
    converged();
    // The data plane: every node holds its current network view (the leader has none left to
    // offer again and none in flight). The simulated nodes read on the managers' cores, so this
    // trails the tasks by however long they take to receive every node's view.
    await waitFor(
      'every node to hold its current network view',
      async () => {
        const c = await count(leader);
        return c.viewsBehind === 0 && c.viewBytesInFlight === 0 ? c : undefined;
      },
      STEP_TIMEOUT_MS,
      250,
    );
    const viewsS = (performance.now() - t0) / 1000;
    const lat = await latency;
    if (PROFILE_DIR !== undefined) {
      console.log(`all running: ${convergeS.toFixed(1)} s; CPU profiles in ${PROFILE_DIR}`);
      return;
    }
    const placementsPerS = TASKS / Math.max(0.001, (placedAt - firstPlacedAt) / 1000);
    console.log(
      `services created: ${createdS.toFixed(1)} s; all placed: ${placedS.toFixed(1)} s (${fmt(placementsPerS)} placements/s from the first to the last); all running: ${convergeS.toFixed(1)} s`,
    );
    console.log(`views settled: ${viewsS.toFixed(1)} s (every node holds its current network view)`);
    console.log(
      `API latency during the run: service ls p50 ${percentile(lat.services, 50).toFixed(0)} ms p99 ${percentile(lat.services, 99).toFixed(0)} ms (${lat.services.length} calls); node ls p50 ${percentile(lat.nodes, 50).toFixed(0)} ms p99 ${percentile(lat.nodes, 99).toFixed(0)} ms`,
    );

    const after = await stats(leader);
    const heapPerTask = (after.heapUsed - before.heapUsed) / TASKS;
    console.log(
      `leader: heap ${mib(after.heapUsed)} (${fmt(heapPerTask)} bytes/task over the idle cluster), RSS ${mib(after.rss)} (${fmt(after.rss / TASKS)} bytes/task)`,
    );
    console.log(`raft: log directory ${mib(after.raftDirBytes)}, snapshot ${mib(after.snapshotBytes)}`);

    // One task of a shared overlay starts: what the first simulated node (which runs tasks of
    // that overlay, or at least holds its view) receives.
    if (overlayServices > 0) {
      const sim = simulators[0]!;
      const b0 = (await sim.next('bytes', { type: 'bytes' })).received;
      const svc = await first.api.serviceInspect('svc-0');
      const replicas = svc.Spec?.Mode?.Replicated?.Replicas ?? per;
      await first.api.serviceUpdate(
        svc.ID ?? 'svc-0',
        svc.Version?.Index ?? 0,
        serviceSpec(0, replicas + 1, true),
      );
      await waitFor('the extra task running', async () =>
        (await count(leader)).running >= TASKS + 1 ? true : undefined,
      );
      await sleep(1_000);
      const b1 = await sim.next('bytes', { type: 'bytes' });
      console.log(
        b1.open > 0
          ? `one task of the shared overlay started: ${fmt(b1.received - b0)} bytes to one node`
          : 'one task of the shared overlay started: not measured (the measured node reconnected to the managers directly, not through its counting proxy)',
      );
    }

    // Failover at full size: the leader (as it is now) is killed; a write succeeds at the new one.
    const old = await leaderOf(managers);
    const tf = performance.now();
    old.child.kill();
    const others = managers.filter((m) => m !== old);
    const next = await leaderOf(others);
    await waitFor('a write at the new leader', async () => {
      try {
        await next.api.transport.request('POST', '/v1.41/networks/create', {
          body: { Name: 'after-failover', Driver: 'overlay' },
        });
        return true;
      } catch {
        return undefined;
      }
    });
    const failoverS = (performance.now() - tf) / 1000;
    console.log(
      `failover: a write answered by the new leader ${failoverS.toFixed(2)} s after the old one was killed`,
    );

    // A new manager catches up (snapshot install, then the log).
    const tc = performance.now();
    const fresh = await startManager(join(root, 'm4'), { addr: next.ready.addr, token: tokens.manager });
    managers.push(fresh);
    await waitFor('the new manager to hold every task', async () =>
      (await count(fresh)).total >= TASKS + (overlayServices > 0 ? 1 : 0) ? true : undefined,
    );
    console.log(`a new manager caught up in ${((performance.now() - tc) / 1000).toFixed(1)} s`);

    console.log(
      `scale: nodes=${NODES} tasks=${TASKS} converge_s=${convergeS.toFixed(1)} placements_per_s=${Math.round(placementsPerS)} heap_bytes_per_task=${Math.round(heapPerTask)} failover_s=${failoverS.toFixed(2)}`,
    );
  } finally {
    // With profiles asked for, every process exits by itself so that its profile is written.
    if (PROFILE_DIR !== undefined) await stopGently([...simulators, ...managers.map((m) => m.child)]);
    for (const s of simulators) if (s.alive) s.kill();
    for (const m of managers) if (m.child.alive) m.child.kill();
    await rm(root, { recursive: true, force: true });
  }
}

await main();
