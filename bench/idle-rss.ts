// Idle RSS of shoald's two kinds of node, measured as `ps` sees them: a manager (after `swarm
// init`: Raft, the CA, the dispatcher, the leader loops, the Docker API, its agent session) and a
// worker joined to it (the Docker API without a manager, its agent session with a null executor,
// the certificate renewal). Each is its own process that first loads what shoald loads at
// start (bench/idle-rss/node-process.ts); once both are up they idle for a while and the
// driver reads their RSS with `ps -o rss=` once a second for SAMPLES seconds and reports the
// median (RSS moves with the collector's timing: one reading is not a figure). The last line is
// exactly:
//   idle-rss: manager_mib=M worker_mib=W
//
//   npm run bench:idle-rss        (SHOAL_IDLE_SECONDS: idle time before the readings, default 20)

import { execFile, fork, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { IdleNodeMessage, IdleNodeRequest } from './idle-rss/protocol.js';

const IDLE_SECONDS = Number(process.env['SHOAL_IDLE_SECONDS'] ?? 20);
const SAMPLES = 15;
const START_TIMEOUT_MS = 60_000;
const script = new URL('./idle-rss/node-process.js', import.meta.url).pathname;
const run = promisify(execFile);

type Ready = Extract<IdleNodeMessage, { type: 'ready' }>;

function start(args: string[]): Promise<{ proc: ChildProcess; ready: Ready }> {
  // No --expose-gc, no forced collection: the figure is what an idle shoald holds.
  const proc = fork(script, args, { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`${args.join(' ')}: not ready in time`)),
      START_TIMEOUT_MS,
    );
    proc.on('message', (m: IdleNodeMessage) => {
      clearTimeout(timer);
      if (m.type === 'ready') resolve({ proc, ready: m });
      else reject(new Error(m.error));
    });
    proc.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`node process exited (${code ?? 'signal'}) before it was ready`));
    });
  });
}

/** Resident set size in bytes, as `ps` reports it (KiB). */
async function rssOf(pid: number): Promise<number> {
  const { stdout } = await run('ps', ['-o', 'rss=', '-p', String(pid)]);
  const kib = Number(stdout.trim());
  if (!Number.isFinite(kib) || kib <= 0) throw new Error(`ps gave no RSS for ${pid}: ${stdout}`);
  return kib * 1024;
}

function stop(proc: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (proc.exitCode !== null) return resolve();
    proc.once('exit', () => resolve());
    proc.send({ type: 'stop' } satisfies IdleNodeRequest);
    setTimeout(() => proc.kill('SIGKILL'), 10_000).unref();
  });
}

function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

const mib = (b: number): string => (b / 2 ** 20).toFixed(1);

async function main(): Promise<void> {
  const root = await mkdtemp(join(tmpdir(), 'shoal-idle-rss-'));
  const procs: ChildProcess[] = [];
  try {
    const manager = await start(['--dir', join(root, 'manager'), '--role', 'manager']);
    procs.push(manager.proc);
    const { addr, workerToken } = manager.ready;
    if (addr === undefined || workerToken === undefined)
      throw new Error('the manager gave no address or token');
    const worker = await start([
      '--dir',
      join(root, 'worker'),
      '--role',
      'worker',
      '--manager',
      addr,
      '--token',
      workerToken,
    ]);
    procs.push(worker.proc);
    console.log(`both nodes up; idling ${IDLE_SECONDS} s`);
    await new Promise((r) => setTimeout(r, IDLE_SECONDS * 1000));
    const ms: number[] = [];
    const ws: number[] = [];
    for (let i = 0; i < SAMPLES; i++) {
      ms.push(await rssOf(manager.proc.pid!));
      ws.push(await rssOf(worker.proc.pid!));
      await new Promise((r) => setTimeout(r, 1000));
    }
    const m = median(ms);
    const w = median(ws);
    const range = (xs: number[]): string => `${mib(Math.min(...xs))}–${mib(Math.max(...xs))}`;
    console.log(`manager RSS ${mib(m)} MiB (${range(ms)}; target ≤ 100)`);
    console.log(`worker  RSS ${mib(w)} MiB (${range(ws)}; target ≤ 60)`);
    console.log(`idle-rss: manager_mib=${mib(m)} worker_mib=${mib(w)}`);
  } finally {
    await Promise.all(procs.map(stop));
    await rm(root, { recursive: true, force: true });
  }
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? (e.stack ?? e.message) : String(e));
  process.exit(1);
});
