// Load-balancer reprogramming benchmark: how long the kernel's LB state takes to follow a scale
// event when a node carries 1,000 services. Needs root (a scratch network namespace, real nft).
//
//   node dist/bench/lb-reprogram.js
//   SHOAL_BENCH_SERVICES=5000 node dist/bench/lb-reprogram.js
//
// In one scratch namespace:
// 1. a task sandbox that can reach every service (table ip shoal_lb: one VIP each, 2 backends):
//    the first full program, then one service scaled 2 → 5 (a diff of that service's chain),
//    then every service changed at once, then a restarted programmer that reads the kernel back;
// 2. the node's routing mesh (table ip shoal_mesh: one published port per service): the same.
// Each figure is the wall time of LbProgrammer's call: diff + one `nsenter … nft -j -f` run.

import { execFileSync } from 'node:child_process';
import { LbProgrammer } from '../agent/network/lb/lb-programmer.js';
import type { NodeLbSpec, SandboxLbSpec } from '../agent/network/lb/lb-spec.js';
import { Nft } from '../agent/network/lb/nft.js';

const SERVICES = Number(process.env['SHOAL_BENCH_SERVICES'] ?? 1_000);
const ROUNDS = 5;
const NS = `shoal-bench-lb-${process.pid.toString(36)}`;
const PATH = `/run/netns/${NS}`;

const addr = (base: number, i: number): string => `10.${base}.${(i >> 8) & 255}.${i & 255}`;
const backendsOf = (i: number, n: number): string[] => Array.from({ length: n }, (_, k) => addr(100 + k, i));

function sandbox(scaled: ReadonlyMap<number, number>): SandboxLbSpec {
  return {
    services: Array.from({ length: SERVICES }, (_, i) => ({
      vip: addr(1, i),
      backends: backendsOf(i, scaled.get(i) ?? 2),
    })),
  };
}

function node(scaled: ReadonlyMap<number, number>): NodeLbSpec {
  return {
    ingressSubnet: '10.0.0.0/8',
    ports: Array.from({ length: SERVICES }, (_, i) => ({
      protocol: 'tcp' as const,
      publishedPort: 20000 + i,
      targetPort: 80,
      mode: 'ingress' as const,
      backends: backendsOf(i, scaled.get(i) ?? 2),
    })),
  };
}

async function timed<T>(fn: () => Promise<T>): Promise<[number, T]> {
  const t0 = process.hrtime.bigint();
  const r = await fn();
  return [Number(process.hrtime.bigint() - t0) / 1e6, r];
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] ?? 0;
}

async function run(
  kind: string,
  apply: (p: LbProgrammer, scaled: Map<number, number>) => Promise<{ mode: string; commands: number }>,
): Promise<void> {
  const p = new LbProgrammer(new Nft());
  const [full, f] = await timed(() => apply(p, new Map()));
  const one: number[] = [];
  let oneCommands = 0;
  for (let r = 0; r < ROUNDS; r++) {
    const i = (r * 197) % SERVICES;
    const [ms, res] = await timed(() => apply(p, new Map([[i, 5]])));
    const [back] = await timed(() => apply(p, new Map()));
    one.push(ms, back);
    oneCommands = res.commands;
  }
  const all = new Map(Array.from({ length: SERVICES }, (_, i) => [i, 3] as [number, number]));
  const [every, e] = await timed(() => apply(p, all));
  const [restart, rr] = await timed(() => apply(new LbProgrammer(new Nft()), all));
  const line = (what: string, ms: number, extra: string): string =>
    `  ${what.padEnd(44)} ${ms.toFixed(1).padStart(8)} ms  ${extra}`;
  process.stdout.write(
    [
      `${kind}, ${SERVICES} services:`,
      line('first program (whole table)', full, `${f.commands} commands`),
      line(
        'one service scaled 2 → 5 and back (median)',
        median(one),
        `${oneCommands} commands, ${one.length} runs`,
      ),
      line('every service changed at once', every, `${e.commands} commands`),
      line('restarted programmer, unchanged (read back)', restart, rr.mode),
      '',
    ].join('\n'),
  );
}

async function main(): Promise<void> {
  execFileSync('ip', ['netns', 'add', NS]);
  try {
    process.stdout.write(
      `lb-reprogram: nft ${execFileSync('nft', ['--version'], { encoding: 'utf8' }).trim()}\n`,
    );
    await run('VIP load balancing in a task sandbox (table ip shoal_lb)', (p, s) =>
      p.applySandbox(PATH, sandbox(s)),
    );
    await run('routing mesh on a node (table ip shoal_mesh)', (p, s) => p.applyNode(PATH, node(s)));
  } finally {
    execFileSync('ip', ['netns', 'delete', NS]);
  }
}

await main();
