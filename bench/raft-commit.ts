// Raft commit benchmark: 3 shoal managers on loopback gRPC with LevelDB and synced writes,
// against a 3-member etcd 3.4 (Debian's etcd-server) on the same machine with the same load.
// 256-byte values; 1 sequential client, then 256 concurrent clients. Prints commits/s and
// p50/p99 commit latency for both, and shoal/etcd ratios.
//
//   npm run build && node dist/bench/raft-commit.js [--seq N] [--conc N] [--clients N] [--no-etcd]

import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Etcd3 } from 'etcd3';
import { Worker } from 'node:worker_threads';
import { load, type Figures } from './load.js';

function arg(name: string, def: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : def;
}

const SEQ = arg('seq', 2000);
const CONC = arg('conc', 20000);
const CLIENTS = arg('clients', 256);
const VALUE = 'x'.repeat(256);

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const a = s.address();
      const port = typeof a === 'object' && a ? a.port : 0;
      s.close(() => resolve(port));
    });
    s.on('error', reject);
  });
}

type MemberMessage =
  | { kind: 'listening'; port: number }
  | { kind: 'started' }
  | { kind: 'not-leader' }
  | { kind: 'figures'; seq: Figures; conc: Figures }
  | { kind: 'stopped' };

function nextMessage(w: Worker): Promise<MemberMessage> {
  return new Promise((resolve, reject) => {
    const onMessage = (m: MemberMessage): void => {
      w.off('error', onError);
      resolve(m);
    };
    const onError = (e: Error): void => {
      w.off('message', onMessage);
      reject(e);
    };
    w.once('message', onMessage);
    w.once('error', onError);
  });
}

/** Three members, each in its own worker thread (etcd's run in their own processes). */
async function benchShoal(): Promise<{ seq: Figures; conc: Figures }> {
  const root = await mkdtemp(join(tmpdir(), 'shoal-raft-bench-'));
  const members = [1, 2, 3].map(
    (id) =>
      new Worker(new URL('./raft-bench-member.js', import.meta.url), {
        workerData: { id, dir: join(root, `m${id}`) },
      }),
  );
  try {
    const ports = await Promise.all(
      members.map(async (w) => ((await nextMessage(w)) as { port: number }).port),
    );
    const all: [number, string][] = ports.map((p, i) => [i + 1, `127.0.0.1:${p}`]);
    await Promise.all(
      members.map(async (w) => {
        const started = nextMessage(w);
        w.postMessage({ kind: 'start', members: all });
        await started;
      }),
    );
    for (let attempt = 0; attempt < 200; attempt++) {
      for (const w of members) {
        const answer = nextMessage(w);
        w.postMessage({ kind: 'run', seq: SEQ, conc: CONC, clients: CLIENTS });
        const m = await answer;
        if (m.kind === 'figures') return { seq: m.seq, conc: m.conc };
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error('no member became leader');
  } finally {
    await Promise.all(
      members.map(async (w) => {
        const stopped = nextMessage(w);
        w.postMessage({ kind: 'stop' });
        await stopped.catch(() => undefined);
        await w.terminate();
      }),
    );
    await rm(root, { recursive: true, force: true });
  }
}

async function benchEtcd(): Promise<{ seq: Figures; conc: Figures }> {
  const root = await mkdtemp(join(tmpdir(), 'shoal-etcd-bench-'));
  const procs: ChildProcess[] = [];
  const ports = await Promise.all(Array.from({ length: 6 }, () => freePort()));
  const names = ['e1', 'e2', 'e3'];
  const peer = (i: number): string => `http://127.0.0.1:${ports[3 + i]}`;
  const clientUrl = (i: number): string => `http://127.0.0.1:${ports[i]}`;
  const initial = names.map((n, i) => `${n}=${peer(i)}`).join(',');
  try {
    names.forEach((name, i) => {
      const p = spawn(
        'etcd',
        [
          '--name',
          name,
          '--data-dir',
          join(root, name),
          '--listen-client-urls',
          clientUrl(i),
          '--advertise-client-urls',
          clientUrl(i),
          '--listen-peer-urls',
          peer(i),
          '--initial-advertise-peer-urls',
          peer(i),
          '--initial-cluster',
          initial,
          '--initial-cluster-state',
          'new',
          '--log-level',
          'error',
          '--logger',
          'zap',
        ],
        { stdio: ['ignore', 'ignore', 'inherit'] },
      );
      procs.push(p);
    });
    const client = new Etcd3({ hosts: names.map((_, i) => clientUrl(i)) });
    try {
      // Wait until the cluster accepts writes.
      for (let i = 0; ; i++) {
        try {
          await client.put('ready').value('1');
          break;
        } catch (e: unknown) {
          if (i > 300) throw e;
          await new Promise((r) => setTimeout(r, 100));
        }
      }
      await load(16, 500, (i) => client.put(`w${i}`).value(VALUE).exec());
      const seq = await load(1, SEQ, (i) => client.put(`s${i}`).value(VALUE).exec());
      const conc = await load(CLIENTS, CONC, (i) => client.put(`c${i}`).value(VALUE).exec());
      return { seq, conc };
    } finally {
      client.close();
    }
  } finally {
    for (const p of procs) p.kill('SIGKILL');
    await rm(root, { recursive: true, force: true });
  }
}

function row(name: string, f: Figures): string {
  return `${name.padEnd(34)} ${f.ops.toFixed(0).padStart(9)} commits/s   p50 ${f.p50.toFixed(2).padStart(7)} ms   p99 ${f.p99.toFixed(2).padStart(7)} ms`;
}

async function main(): Promise<void> {
  console.log(
    `raft commit benchmark: 3 members (each in its own thread) on loopback, 256-byte values, synced writes`,
  );
  console.log(`sequential: ${SEQ} ops from 1 client; concurrent: ${CONC} ops from ${CLIENTS} clients\n`);
  const shoal = await benchShoal();
  console.log(row('shoal  1 client (sequential)', shoal.seq));
  console.log(row(`shoal  ${CLIENTS} clients`, shoal.conc));
  if (process.argv.includes('--no-etcd')) return;
  const etcd = await benchEtcd();
  console.log(row('etcd   1 client (sequential)', etcd.seq));
  console.log(row(`etcd   ${CLIENTS} clients`, etcd.conc));
  console.log(
    `\nshoal/etcd throughput: sequential ${(shoal.seq.ops / etcd.seq.ops).toFixed(2)}x, ${CLIENTS} clients ${(shoal.conc.ops / etcd.conc.ops).toFixed(2)}x`,
  );
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
