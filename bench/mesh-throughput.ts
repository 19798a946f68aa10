// Data-plane throughput: HTTP requests/s and latency (p50, p99) measured with wrk (Debian's 4.1.0,
// `wrk --latency`) in a shoal lab of three swarm nodes and one outside host, against `srv`, a
// service of busybox httpd replicas (1 by default, --replicas) on the overlay `benchnet`, over
// three paths:
//   direct — from the `client` task's network namespace to ONE srv task's overlay address;
//   VIP    — from the same namespace to srv's virtual IP on benchnet (what `srv` resolves to in
//            the embedded DNS; nftables in the task's sandbox spread connections over the replicas);
//   mesh   — from the outside host (a lab host that never joins) to the published port 8080 on a
//            node that runs no srv replica (its routing mesh spreads over the replicas on ingress).
//   keep   — the same, to `srvkeep` (as srv, label shoal.mesh.client-ip=preserve) on port 8081:
//            the mesh keeping the client's address (no masquerade; replies routed back by mark).
// With one replica every path ends at the same server, so the ratios compare the data paths alone.
// Placement is pinned (srv on the two workers, the client task on the manager, which runs no srv
// replica and is the node the mesh path enters by), so every path crosses one VXLAN hop to a
// replica on another node. wrk runs inside the client task's network namespace (nsenter --net),
// or inside the outside host. The paths never run at once: each round runs all three one after
// another, in an order rotated each round to spread the machine's noise; the median round per path
// (by requests/s) is reported, with the ratios VIP/direct and mesh/direct (the goal: >= 0.9x) and a
// Markdown table for the README. wrk, httpd, shoald and the kernel all share this machine's cores.
// Needs root, wrk (apt-get install wrk) and a build. If a run is interrupted, remove what the lab
// left with `node dist/lab/sweep.js`.
//
//   npm run build && node dist/bench/mesh-throughput.js [--duration 10] [--connections 16] [--threads 2]
//     [--rounds 3] [--replicas 1]

import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { cpus, loadavg, release } from 'node:os';
import { setTimeout as delay } from 'node:timers/promises';
import { ShoalLab, eventually, type CliResult } from '../e2e/cluster/shoal-lab.js';
import { HTTP_HOSTNAME_SERVER } from '../e2e/cluster/task-servers.js';
import type { CommandResult } from '../lab/run-command.js';
import { describeErrors, errorCount, parseWrk, type WrkResult } from './wrk-output.js';

const WRK = '/usr/bin/wrk';
/** The swarm: host 0 is the manager, 1 and 2 workers; host 3 stays outside. */
const SWARM = [0, 1, 2] as const;
const MANAGER = 0;
const OUTSIDE = 3;
const NETWORK = 'benchnet';
const SERVER = 'srv';
const CLIENT = 'client';
const PUBLISHED = 8080;
/** srv's twin whose published port keeps the client's address. */
const SERVER_KEEP = 'srvkeep';
const PUBLISHED_KEEP = 8081;

interface Options {
  readonly duration: number;
  readonly connections: number;
  readonly threads: number;
  readonly rounds: number;
  readonly replicas: number;
}

type PathName = 'direct' | 'VIP' | 'mesh' | 'keep';

/** One way to reach srv: where wrk runs (a lab host, optionally a container's netns) and the URL. */
interface Target {
  readonly path: PathName;
  readonly description: string;
  readonly host: number;
  /** /proc/<pid>/ns/net of the task container wrk runs in; none: the lab host itself. */
  readonly netns?: string;
  readonly url: string;
}

interface Measurement {
  readonly target: Target;
  readonly round: number;
  readonly result: WrkResult;
}

/** A running task container on a lab host: its name, hostname (what httpd serves), pid, address. */
interface TaskContainer {
  readonly host: number;
  readonly name: string;
  readonly hostname: string;
  readonly pid: number;
  readonly ip: string;
}

/** A flag or the machine is not what the benchmark needs: exit 2 with the reason. */
class BenchUsageError extends Error {}

// ---- options ----------------------------------------------------------------------------------

function positiveInt(flag: string, value: string | undefined): number {
  const n = Number(value);
  if (value === undefined || !Number.isInteger(n) || n < 1) {
    throw new BenchUsageError(`${flag} needs a positive whole number (got ${value ?? 'nothing'})`);
  }
  return n;
}

function parseOptions(argv: readonly string[]): Options {
  const o = { duration: 10, connections: 16, threads: 2, rounds: 3, replicas: 1 };
  for (let i = 0; i < argv.length; i += 2) {
    const flag = argv[i];
    const key = flag?.replace(/^--/, '');
    if (
      key === 'duration' ||
      key === 'connections' ||
      key === 'threads' ||
      key === 'rounds' ||
      key === 'replicas'
    ) {
      o[key] = positiveInt(flag ?? '', argv[i + 1]);
    } else {
      throw new BenchUsageError(
        `unknown option ${flag ?? ''}; usage: mesh-throughput [--duration <s>] [--connections <n>] ` +
          '[--threads <n>] [--rounds <n>] [--replicas <n>]',
      );
    }
  }
  if (o.connections < o.threads) {
    throw new BenchUsageError(
      `--connections (${o.connections}) must be at least --threads (${o.threads}): wrk needs a connection per thread`,
    );
  }
  return o;
}

function checkMachine(): void {
  if (process.getuid?.() !== 0)
    throw new BenchUsageError('run as root: the lab makes network namespaces and engines');
  if (!existsSync(WRK)) throw new BenchUsageError(`${WRK} not found: apt-get install wrk`);
}

// ---- the lab ------------------------------------------------------------------------------------

/** Awaits a CLI run and returns its stdout, or throws with the command and its output. */
async function must(what: string, p: Promise<CliResult>): Promise<string> {
  const r = await p;
  if (r.code !== 0) throw new Error(`${what} failed (exit ${r.code}): ${r.stderr.trim()}${r.stdout.trim()}`);
  return r.stdout;
}

async function formSwarm(s: ShoalLab): Promise<void> {
  await must('swarm init', s.docker(MANAGER, ['swarm', 'init', '--advertise-addr', s.addr(MANAGER)]));
  const token = (await must('join-token', s.docker(MANAGER, ['swarm', 'join-token', '-q', 'worker']))).trim();
  for (const h of SWARM.filter((x) => x !== MANAGER)) {
    await must(
      `swarm join on node${h + 1}`,
      s.docker(h, ['swarm', 'join', '--token', token, `${s.addr(MANAGER)}:2377`]),
    );
  }
  await eventually('three ready nodes', async () => {
    const out = await must('node ls', s.docker(MANAGER, ['node', 'ls']));
    return (out.match(/\bReady\b/g) ?? []).length === SWARM.length ? true : undefined;
  });
}

async function deployServices(s: ShoalLab, replicas: number): Promise<void> {
  await must('network create', s.docker(MANAGER, ['network', 'create', '-d', 'overlay', NETWORK]));
  const common = ['service', 'create', '--detach', '--network', NETWORK];
  await must(
    `service create ${SERVER}`,
    s.docker(MANAGER, [
      ...common,
      '--name',
      SERVER,
      '--replicas',
      String(replicas),
      '--constraint',
      'node.role==worker',
      '--publish',
      `published=${PUBLISHED},target=80`,
      'shoal/busybox',
      'sh',
      '-c',
      HTTP_HOSTNAME_SERVER,
    ]),
  );
  await must(
    `service create ${SERVER_KEEP}`,
    s.docker(MANAGER, [
      ...common,
      '--name',
      SERVER_KEEP,
      '--replicas',
      String(replicas),
      '--constraint',
      'node.role==worker',
      '--label',
      'shoal.mesh.client-ip=preserve',
      '--publish',
      `published=${PUBLISHED_KEEP},target=80`,
      'shoal/busybox',
      'sh',
      '-c',
      HTTP_HOSTNAME_SERVER,
    ]),
  );
  await must(
    `service create ${CLIENT}`,
    s.docker(MANAGER, [
      ...common,
      '--name',
      CLIENT,
      '--replicas',
      '1',
      '--constraint',
      'node.role==manager',
      'shoal/busybox',
      'sleep',
      '100000',
    ]),
  );
}

/** The running containers of `service` on every swarm host that have an address on NETWORK. */
async function tasksOf(s: ShoalLab, service: string): Promise<TaskContainer[]> {
  const out: TaskContainer[] = [];
  for (const h of SWARM) {
    const names = (await must('docker ps', s.engine(h, ['ps', '--format', '{{.Names}}'])))
      .split('\n')
      .filter((n) => n.startsWith(`${service}.`));
    for (const name of names) {
      const format =
        '{{.State.Pid}} {{.Config.Hostname}} ' +
        '{{range $k, $v := .NetworkSettings.Networks}}{{$k}}={{$v.IPAddress}} {{end}}';
      const fields = (await must('docker inspect', s.engine(h, ['inspect', '-f', format, name]))).trim();
      const [pid, hostname] = fields.split(' ');
      const ip = new RegExp(`\\b${NETWORK}=(\\d+\\.\\d+\\.\\d+\\.\\d+)`).exec(fields)?.[1];
      if (ip && hostname && Number(pid) > 0) out.push({ host: h, name, hostname, pid: Number(pid), ip });
    }
  }
  return out;
}

async function waitForTasks(s: ShoalLab, service: string, count: number): Promise<TaskContainer[]> {
  return eventually(
    `${count} running ${service} task(s) with an address on ${NETWORK}`,
    async () => {
      const t = await tasksOf(s, service);
      return t.length === count ? t : undefined;
    },
    90_000,
  );
}

/** srv's virtual IP on NETWORK, from `service inspect` (Endpoint.VirtualIPs). */
async function virtualIp(s: ShoalLab): Promise<string> {
  const networkId = (
    await must('network inspect', s.docker(MANAGER, ['network', 'inspect', '-f', '{{.Id}}', NETWORK]))
  ).trim();
  const inspect = JSON.parse(
    await must('service inspect', s.docker(MANAGER, ['service', 'inspect', SERVER])),
  ) as {
    Endpoint?: { VirtualIPs?: { NetworkID: string; Addr: string }[] };
  }[];
  const vips = inspect[0]?.Endpoint?.VirtualIPs ?? [];
  const vip = vips.find((v) => v.NetworkID === networkId)?.Addr.split('/')[0];
  if (!vip) {
    throw new Error(`${SERVER} has no virtual IP on ${NETWORK} (${networkId}): ${JSON.stringify(vips)}`);
  }
  return vip;
}

/** A command inside a lab host, or inside a container's network namespace on it. */
function inTarget(
  s: ShoalLab,
  t: Pick<Target, 'host' | 'netns'>,
  argv: readonly string[],
  timeoutMs = 30_000,
): Promise<CommandResult> {
  const full = t.netns ? ['nsenter', `--net=${t.netns}`, '--', ...argv] : [...argv];
  return s.lab.exec(t.host, full, { check: false, timeoutMs });
}

/**
 * Lets wrk's side open connections as fast as the paths carry them. Every request is a new
 * connection, so a 10 s run at ~4,000 requests/s leaves ~40,000 closed connections behind in the
 * client's namespace: sockets in TIME_WAIT (60 s) and, since shoal's VIP rules make conntrack
 * track the task's connections, conntrack entries in TIME_WAIT (120 s). Measured without this:
 * the next runs from the client task fell to 430–2,200 requests/s with system CPU at 95 % (in
 * connect(), not in the data path), while the outside host stayed at ~3,900. Short conntrack
 * TIME_WAIT, TIME_WAIT port reuse and the widest port range in the client's namespace only
 * (never the nodes' or the servers') remove that; with them every round runs at full speed.
 */
async function tuneClient(s: ShoalLab, t: Pick<Target, 'host' | 'netns'>): Promise<void> {
  const r = await inTarget(s, t, [
    'sysctl',
    '-qw',
    'net.ipv4.tcp_tw_reuse=1',
    'net.ipv4.ip_local_port_range=1024 65535',
    'net.ipv4.tcp_max_tw_buckets=1024',
    'net.netfilter.nf_conntrack_tcp_timeout_time_wait=1',
  ]);
  if (r.code !== 0) throw new Error(`cannot tune the client's TCP settings: ${r.stderr.trim()}`);
}

/** `count` GETs of the target's URL (each a new connection): the bodies, `error` for a failure. */
async function gets(s: ShoalLab, t: Target, count: number): Promise<string[]> {
  const answers: string[] = [];
  for (let i = 0; i < count; i++) {
    const r = await inTarget(s, t, ['curl', '-s', '--max-time', '3', t.url]);
    answers.push(r.code === 0 ? r.stdout.trim() : 'error');
  }
  return answers;
}

/** Waits until the target answers, and only with the hostnames `expected`, all of them. */
async function checkAnswers(s: ShoalLab, t: Target, expected: readonly string[]): Promise<void> {
  let last: string[] = [];
  await eventually(
    `${t.path} (${t.url}) to answer from ${expected.join(' and ')}`,
    async () => {
      last = await gets(s, t, 2 * expected.length + 2);
      const ok = last.every((a) => expected.includes(a)) && expected.every((e) => last.includes(e));
      return ok ? true : undefined;
    },
    60_000,
  ).catch((e: unknown) => {
    throw new Error(`${e instanceof Error ? e.message : String(e)}; last answers: ${last.join(' ')}`);
  });
}

/** The embedded DNS in the client task answers the service name with the VIP. */
async function checkDns(s: ShoalLab, client: TaskContainer, vip: string): Promise<void> {
  await eventually(`${SERVER} to resolve to its VIP ${vip} in the client task`, async () => {
    const r = await s.engine(client.host, ['exec', client.name, 'nslookup', SERVER]);
    return r.code === 0 && new RegExp(`Address:\\s+${vip.replace(/\./g, '\\.')}\\b`).test(r.stdout)
      ? true
      : undefined;
  });
}

/** Whether the server keeps connections open (busybox httpd closes each one after its answer). */
async function keepsAlive(s: ShoalLab, t: Target): Promise<boolean> {
  const r = await inTarget(s, t, ['curl', '-s', '--max-time', '3', '-o', '/dev/null', '-D', '-', t.url]);
  return r.code === 0 && !/^connection:\s*close/im.test(r.stdout);
}

// ---- wrk ---------------------------------------------------------------------------------------

async function runWrk(s: ShoalLab, t: Target, o: Options): Promise<WrkResult> {
  const argv = [
    WRK,
    '--latency',
    '-t',
    String(o.threads),
    '-c',
    String(o.connections),
    '-d',
    `${o.duration}s`,
    '--timeout',
    '5s',
    t.url,
  ];
  let r: CommandResult;
  try {
    r = await inTarget(s, t, argv, (o.duration + 60) * 1000);
  } catch (e: unknown) {
    throw new Error(
      `wrk for ${t.path} (${t.url}) did not finish: ${e instanceof Error ? e.message : String(e)}`,
    );
  }
  if (r.code !== 0) throw new Error(`wrk for ${t.path} (${t.url}) exited ${r.code}: ${r.stderr}${r.stdout}`);
  return parseWrk(r.stdout);
}

// ---- figures -----------------------------------------------------------------------------------

/** The median round by requests/s (the lower middle one for an even count). */
function medianRound(ms: readonly Measurement[]): Measurement {
  const sorted = [...ms].sort((a, b) => a.result.requestsPerSec - b.result.requestsPerSec);
  const m = sorted[Math.floor((sorted.length - 1) / 2)];
  if (!m) throw new Error('no measurement');
  return m;
}

const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`;
const fmtInt = (n: number): string => Math.round(n).toLocaleString('en-US');
const fmtMs = (n: number): string => `${n < 10 ? n.toFixed(2) : n.toFixed(1)} ms`;
const ratio = (a: number, b: number): string => `${(a / b).toFixed(2)}x`;

function runLine(m: Measurement, rounds: number): string {
  const r = m.result;
  return (
    `round ${m.round + 1}/${rounds}  ${m.target.path.padEnd(6)} ${fmtInt(r.requestsPerSec).padStart(8)} req/s  ` +
    `p50 ${fmtMs(r.p50Ms).padStart(9)}  p99 ${fmtMs(r.p99Ms).padStart(9)}  ` +
    `(${fmtInt(r.requests)} requests, errors: ${describeErrors(r)})`
  );
}

function report(targets: readonly Target[], all: readonly Measurement[], o: Options): void {
  const med = new Map(targets.map((t) => [t.path, medianRound(all.filter((m) => m.target.path === t.path))]));
  const direct = med.get('direct')?.result.requestsPerSec ?? NaN;
  console.log(`\nmedian round per path (of ${o.rounds}, by requests/s):`);
  for (const t of targets) {
    const m = med.get(t.path);
    if (!m) continue;
    const every = all.filter((x) => x.target.path === t.path).map((x) => fmtInt(x.result.requestsPerSec));
    const errors = all.filter((x) => x.target.path === t.path).reduce((n, x) => n + errorCount(x.result), 0);
    console.log(
      `  ${t.path.padEnd(6)} ${fmtInt(m.result.requestsPerSec).padStart(8)} req/s  p50 ${fmtMs(m.result.p50Ms)}  ` +
        `p99 ${fmtMs(m.result.p99Ms)}  ${t.path === 'direct' ? '' : `${ratio(m.result.requestsPerSec, direct)} of direct  `}` +
        `(rounds: ${every.join(' / ')} req/s; errors in all rounds: ${errors})`,
    );
  }
  for (const p of ['VIP', 'mesh', 'keep'] as const) {
    const v = med.get(p)?.result.requestsPerSec ?? NaN;
    const goal = v / direct >= 0.9 ? 'meets' : 'MISSES';
    console.log(`  ${p}/direct = ${ratio(v, direct)} (${goal} the goal of >= 0.9x)`);
  }

  console.log(
    `\nMarkdown (wrk ${o.threads} threads, ${o.connections} connections, ${o.duration} s, ` +
      `median of ${plural(o.rounds, 'round')}; ${cpus().length} cores, Linux ${release()}):\n`,
  );
  const rows = targets.map((t) => {
    const m = med.get(t.path);
    const r = m?.result;
    const errors = all.filter((x) => x.target.path === t.path).reduce((n, x) => n + errorCount(x.result), 0);
    return [
      `${t.path}: ${t.description}`,
      r ? fmtInt(r.requestsPerSec) : '-',
      r ? fmtMs(r.p50Ms) : '-',
      r ? fmtMs(r.p99Ms) : '-',
      r ? ratio(r.requestsPerSec, direct) : '-',
      String(errors),
    ];
  });
  printTable(['path', 'requests/s', 'p50', 'p99', 'vs direct', 'errors'], rows);
}

function printTable(header: readonly string[], rows: readonly (readonly string[])[]): void {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]): string =>
    `| ${cells.map((c, i) => c.padEnd(widths[i] ?? 0)).join(' | ')} |`;
  console.log(line(header));
  console.log(`| ${widths.map((w) => '-'.repeat(w)).join(' | ')} |`);
  for (const r of rows) console.log(line(r));
}

function machineFacts(): string {
  const model = cpus()[0]?.model ?? 'unknown CPU';
  // (`wrk -v` prints its version, then its usage, and exits 1)
  const version = spawnSync(WRK, ['-v'], { encoding: 'utf8' }).stdout.split('\n')[0] ?? '';
  const wrk = version.split(' Copyright')[0] || 'wrk';
  const load = loadavg()
    .map((l) => l.toFixed(2))
    .join(' ');
  return `${cpus().length} cores (${model}), uname -r ${release()}, Node ${process.version}, ${wrk}, load average ${load}`;
}

// ---- main --------------------------------------------------------------------------------------

const spread = (replicas: number): string => (replicas === 1 ? 'the same one' : `${replicas} replicas`);

async function setUp(s: ShoalLab, replicas: number): Promise<Target[]> {
  await formSwarm(s);
  await deployServices(s, replicas);
  const servers = await waitForTasks(s, SERVER, replicas);
  const keepers = await waitForTasks(s, SERVER_KEEP, replicas);
  const [client] = await waitForTasks(s, CLIENT, 1);
  if (!client) throw new Error('no client task');
  const serverHosts = new Set([...servers, ...keepers].map((t) => t.host));
  const meshNode = SWARM.find((h) => !serverHosts.has(h));
  if (meshNode === undefined)
    throw new Error(`every swarm node runs a ${SERVER} replica: none for the mesh path`);
  // The direct baseline: one replica, on another node than the client task when there is one.
  const one = servers.find((t) => t.host !== client.host) ?? servers[0];
  if (!one) throw new Error(`no ${SERVER} task`);
  const vip = await virtualIp(s);
  const netns = `/proc/${client.pid}/ns/net`;
  const direct: Target = {
    path: 'direct',
    description: `client task (node${client.host + 1}) -> one ${SERVER} task's overlay address (node${one.host + 1})`,
    host: client.host,
    netns,
    url: `http://${one.ip}/`,
  };
  const viaVip: Target = {
    path: 'VIP',
    description: `client task (node${client.host + 1}) -> ${SERVER}'s VIP, over ${spread(replicas)}`,
    host: client.host,
    netns,
    url: `http://${vip}/`,
  };
  const mesh: Target = {
    path: 'mesh',
    description: `outside host -> node${meshNode + 1}:${PUBLISHED} (no replica there), over ${spread(replicas)}`,
    host: OUTSIDE,
    url: `http://${s.addr(meshNode)}:${PUBLISHED}/`,
  };
  const keep: Target = {
    path: 'keep',
    description: `outside host -> node${meshNode + 1}:${PUBLISHED_KEEP} (client address kept), over ${spread(replicas)}`,
    host: OUTSIDE,
    url: `http://${s.addr(meshNode)}:${PUBLISHED_KEEP}/`,
  };
  const names = servers.map((t) => t.hostname);
  await checkAnswers(s, direct, [one.hostname]);
  await checkDns(s, client, vip);
  await checkAnswers(s, viaVip, names);
  await checkAnswers(s, mesh, names);
  await checkAnswers(
    s,
    keep,
    keepers.map((t) => t.hostname),
  );
  for (const t of [direct, mesh, keep]) await tuneClient(s, t);

  console.log(
    `${SERVER}: ${servers.map((t) => `${t.hostname} ${t.ip} on node${t.host + 1}`).join(', ')}; ` +
      `VIP ${vip}; client task on node${client.host + 1}; outside host node${OUTSIDE + 1}`,
  );
  const targets = [direct, viaVip, mesh, keep];
  for (const t of targets) console.log(`  ${t.path.padEnd(6)} ${t.url}  ${t.description}`);
  console.log(
    (await keepsAlive(s, direct))
      ? 'the server keeps connections alive'
      : 'the server closes each connection (busybox httpd): every request is a new TCP connection, ' +
          'and on the VIP and mesh paths a new conntrack entry and NAT',
  );
  console.log(
    "note: wrk's latency runs from writing a request to its answer and leaves out the TCP connect; " +
      `requests/s includes it. direct reaches one replica, VIP and mesh ${spread(replicas)}.`,
  );
  return targets;
}

async function measure(s: ShoalLab, targets: readonly Target[], o: Options): Promise<Measurement[]> {
  const all: Measurement[] = [];
  for (let round = 0; round < o.rounds; round++) {
    const order = targets.map((_, i) => targets[(i + round) % targets.length] as Target);
    for (const target of order) {
      await delay(1000);
      const m = { target, round, result: await runWrk(s, target, o) };
      all.push(m);
      console.log(runLine(m, o.rounds));
    }
  }
  return all;
}

async function main(): Promise<void> {
  const o = parseOptions(process.argv.slice(2));
  checkMachine();
  console.log(`routing mesh throughput with wrk (${new Date().toISOString()})`);
  console.log(`machine: ${machineFacts()}`);
  console.log(
    `wrk --latency -t ${o.threads} -c ${o.connections} -d ${o.duration}s, ${plural(o.rounds, 'round')}, ` +
      'paths one at a time, order rotated each round',
  );
  const s = await ShoalLab.create('bench-mesh', 4);
  const onSignal = (sig: NodeJS.Signals): void => {
    console.error(`\n${sig}: tearing the lab down`);
    void s.destroy().finally(() => process.exit(130));
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    const targets = await setUp(s, o.replicas);
    const all = await measure(s, targets, o);
    report(targets, all, o);
    console.log(
      `\nload average at the end: ${loadavg()
        .map((l) => l.toFixed(2))
        .join(' ')}`,
    );
  } finally {
    const t0 = Date.now();
    await s.destroy();
    console.log(`lab torn down in ${((Date.now() - t0) / 1000).toFixed(0)} s`);
  }
}

main().catch((e: unknown) => {
  console.error(e instanceof BenchUsageError ? `mesh-throughput: ${e.message}` : e);
  process.exit(e instanceof BenchUsageError ? 2 : 1);
});
