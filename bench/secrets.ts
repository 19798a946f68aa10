// What secrets cost at start: the time for `service create --replicas N` of a `sleep` task to
// have N tasks running, without secrets and with 5 secrets per task (each task gets its own
// tmpfs with 5 files, and the dispatcher ships the 5 secrets with every assignment), on a lab
// cluster of shoald hosts driven with the docker CLI. The bar: secrets cost < 20 %.
// Rounds alternate plain / with secrets; the service is removed between runs and the next run
// starts only once every host's engine has no container of it left.
//
//   npm run build && node dist/bench/secrets.js [--replicas 50] [--rounds 3] [--hosts 1|3]

import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ShoalLab, DOCKER_CLI } from '../e2e/cluster/shoal-lab.js';

const SECRETS = 5;

function option(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  if (i < 0) return fallback;
  const v = Number(process.argv[i + 1]);
  if (!Number.isInteger(v) || v < 1)
    throw new Error(`--${name} needs a positive integer, got ${process.argv[i + 1]}`);
  return v;
}

function docker(host: string, args: readonly string[]): Promise<string> {
  return new Promise((resolve, reject) =>
    execFile(DOCKER_CLI, ['-H', host, ...args], { timeout: 300_000, maxBuffer: 64 << 20 }, (e, out, err) =>
      e ? reject(new Error(`docker ${args.join(' ')}: ${err || e.message}`)) : resolve(out),
    ),
  );
}

async function until(what: string, cond: () => Promise<boolean>, ms = 300_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/** Seconds from `service create --detach` until n of its tasks run; then removes the service
 * and waits until no host's engine holds one of its containers. */
async function startReplicas(
  api: string,
  engines: readonly string[],
  name: string,
  n: number,
  secretArgs: readonly string[],
): Promise<number> {
  const t0 = Date.now();
  await docker(api, [
    'service',
    'create',
    '--detach',
    '--name',
    name,
    '--replicas',
    String(n),
    ...secretArgs,
    'shoal/busybox',
    'sleep',
    '100000',
  ]);
  await until(`${n} running tasks of ${name}`, async () => {
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
  await until(`${name}'s containers to be gone`, async () => {
    const left = await Promise.all(
      engines.map((e) => docker(e, ['ps', '-aq', '--filter', `label=com.docker.swarm.service.name=${name}`])),
    );
    return left.every((o) => o.trim() === '');
  });
  return s;
}

async function main(): Promise<void> {
  const replicas = option('replicas', 50);
  const rounds = option('rounds', 3);
  const hosts = option('hosts', 1);
  const files = await mkdtemp(join(tmpdir(), 'shoal-bench-secrets-'));
  const shoal = await ShoalLab.create('bsec', hosts);
  try {
    const api = `unix://${shoal.socket(0)}`;
    const engines = shoal.lab.hosts.map((_, h) => shoal.lab.host(h).dockerHost);
    await docker(api, ['swarm', 'init', '--advertise-addr', shoal.addr(0)]);
    if (hosts > 1) {
      const token = (await docker(api, ['swarm', 'join-token', '-q', 'worker'])).trim();
      for (let h = 1; h < hosts; h++) {
        await docker(`unix://${shoal.socket(h)}`, [
          'swarm',
          'join',
          '--token',
          token,
          `${shoal.addr(0)}:2377`,
        ]);
      }
      await until(`${hosts} ready nodes`, async () => {
        const out = await docker(api, ['node', 'ls', '--format', '{{.Status}}']);
        return out.split('\n').filter((l) => l === 'Ready').length === hosts;
      });
    }
    const secretArgs: string[] = [];
    for (let i = 1; i <= SECRETS; i++) {
      const file = join(files, `s${i}`);
      await writeFile(file, `bench-secret-${i}-${'x'.repeat(64)}`, { mode: 0o600 });
      await docker(api, ['secret', 'create', `s${i}`, file]);
      secretArgs.push('--secret', `s${i}`);
    }
    console.log(
      `start time of ${replicas} replicas of a sleep task, without and with ${SECRETS} secrets each, ` +
        `${hosts} host(s) (${new Date().toISOString()})`,
    );
    console.log('round    plain   with secrets   ratio');
    const plain: number[] = [];
    const withSecrets: number[] = [];
    for (let r = 1; r <= rounds; r++) {
      const p = await startReplicas(api, engines, `plain${r}`, replicas, []);
      const w = await startReplicas(api, engines, `sec${r}`, replicas, secretArgs);
      plain.push(p);
      withSecrets.push(w);
      console.log(
        `${String(r).padStart(5)} ${p.toFixed(2).padStart(7)} s ${w.toFixed(2).padStart(12)} s ${(w / p).toFixed(2).padStart(6)}`,
      );
    }
    const mp = median(plain);
    const mw = median(withSecrets);
    console.log(
      `median ${mp.toFixed(2).padStart(6)} s ${mw.toFixed(2).padStart(12)} s ${(mw / mp).toFixed(2).padStart(6)}`,
    );
    console.log(
      `secrets: replicas=${replicas} secrets=${SECRETS} plain_s=${mp.toFixed(2)} with_secrets_s=${mw.toFixed(2)} ratio=${(mw / mp).toFixed(2)}`,
    );
  } finally {
    await shoal.destroy();
    await rm(files, { recursive: true, force: true });
  }
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
