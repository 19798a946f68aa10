// Converge time: how long N replicas of a `sleep` task take to be running, on one lab host
// (its own dockerd): shoal (shoald on that host), Docker Swarm mode itself (`docker swarm init`
// on another lab host's dockerd), and the engine's own limit (N `docker run -d` at once).
// Also the footprint (RSS) of shoald: idle agent+manager, and holding the tasks.
//
//   npm run build && node dist/bench/converge.js [--sizes 10,50,100]

import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { ShoalLab, DOCKER_CLI } from '../e2e/cluster/shoal-lab.js';
import { Lab } from '../lab/lab.js';

function sizes(): number[] {
  const i = process.argv.indexOf('--sizes');
  return (i >= 0 ? (process.argv[i + 1] ?? '') : '10,50,100').split(',').map(Number);
}

function docker(host: string, args: readonly string[]): Promise<string> {
  return new Promise((resolve, reject) =>
    execFile(DOCKER_CLI, ['-H', host, ...args], { timeout: 300_000, maxBuffer: 64 << 20 }, (e, out, err) =>
      e ? reject(new Error(`docker ${args.join(' ')}: ${err || e.message}`)) : resolve(out),
    ),
  );
}

async function until(cond: () => Promise<boolean>, ms = 300_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Seconds for `service create --replicas n` to have n tasks running, through API `host`. */
async function convergeService(api: string, engine: string, n: number): Promise<number> {
  const name = `conv${n}`;
  const t0 = Date.now();
  await docker(api, [
    'service',
    'create',
    '--detach',
    '--name',
    name,
    '--replicas',
    String(n),
    'shoal/busybox',
    'sleep',
    '100000',
  ]);
  await until(async () => {
    const out = await docker(api, [
      'service',
      'ps',
      '--filter',
      'desired-state=running',
      '--format',
      '{{.CurrentState}}',
      name,
    ]);
    return out.split('\n').filter((l) => l.startsWith('Running')).length === n;
  });
  const s = (Date.now() - t0) / 1000;
  await docker(api, ['service', 'rm', name]);
  await until(async () => (await docker(engine, ['ps', '-q'])).trim() === '');
  return s;
}

/** Seconds for n `docker run -d` at once on the engine: its own limit. */
async function engineLimit(engine: string, n: number): Promise<number> {
  const t0 = Date.now();
  await Promise.all(
    Array.from({ length: n }, (_, i) =>
      docker(engine, [
        'run',
        '-d',
        '--network',
        'none',
        '--name',
        `raw${i}`,
        'shoal/busybox',
        'sleep',
        '100000',
      ]),
    ),
  );
  const s = (Date.now() - t0) / 1000;
  await docker(engine, ['rm', '-f', ...Array.from({ length: n }, (_, i) => `raw${i}`)]);
  return s;
}

async function rssMiB(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
  return kb / 1024;
}

async function shoaldPid(lab: Lab): Promise<number> {
  const r = await lab.exec(0, ['pgrep', '-f', 'dist/cli/shoald.js'], { check: false });
  const pid = Number(r.stdout.trim().split('\n')[0]);
  if (!pid) throw new Error('shoald not found');
  return pid;
}

async function main(): Promise<void> {
  const ns = sizes();
  const shoal = await ShoalLab.create('conv', 1);
  const swarm = await Lab.create({ name: 'swarm', hosts: 1 });
  try {
    const api = `unix://${shoal.socket(0)}`;
    const shoalEngine = shoal.lab.host(0).dockerHost;
    await docker(api, ['swarm', 'init', '--advertise-addr', shoal.addr(0)]);
    const engine = swarm.host(0).dockerHost;
    await docker(engine, ['swarm', 'init', '--advertise-addr', swarm.addr(0)]);
    const pid = await shoaldPid(shoal.lab);
    await new Promise((r) => setTimeout(r, 2000));
    const idle = await rssMiB(pid);
    console.log(`converge time of N replicas of a sleep task on one host (${new Date().toISOString()})`);
    console.log('   N   shoal   swarm   engine limit   shoal/swarm   shoal/engine');
    for (const n of ns) {
      const tShoal = await convergeService(api, shoalEngine, n);
      const tSwarm = await convergeService(engine, engine, n);
      const tEngine = await engineLimit(shoalEngine, n);
      console.log(
        `${String(n).padStart(4)} ${tShoal.toFixed(1).padStart(6)} s ${tSwarm.toFixed(1).padStart(6)} s ${tEngine
          .toFixed(1)
          .padStart(
            10,
          )} s ${(tShoal / tSwarm).toFixed(2).padStart(12)}x ${(tShoal / tEngine).toFixed(2).padStart(13)}x`,
      );
    }
    console.log(`\nshoald RSS (agent + manager, one node): idle ${idle.toFixed(0)} MiB`);
  } finally {
    await shoal.destroy();
    await swarm.destroy();
  }
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
