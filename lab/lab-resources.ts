// Finds, by name alone, everything a lab made on the machine, and removes it. The graceful part
// of teardown (containers, dockerd shutdown) is in lab.ts; this is the part that must also work
// for a lab whose owner crashed, so `destroy()` and the sweep share it.

import { existsSync, readdirSync, readFileSync, readlinkSync, rmdirSync, statSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { bridgeName, runDir } from './lab-names.js';
import { findTool, tool } from './prerequisites.js';
import { runCommand } from './run-command.js';

export interface LabResources {
  readonly netns: readonly string[];
  readonly links: readonly string[];
  readonly mounts: readonly string[];
  readonly pids: readonly number[];
  readonly nftTables: readonly string[];
  readonly iptablesRules: readonly string[];
  readonly cgroups: readonly string[];
  readonly dir: boolean;
}

export function isEmpty(r: LabResources): boolean {
  return (
    r.netns.length +
      r.links.length +
      r.mounts.length +
      r.pids.length +
      r.nftTables.length +
      r.iptablesRules.length +
      r.cgroups.length ===
      0 && !r.dir
  );
}

function belongs(id: string, name: string): boolean {
  return name === id || name.startsWith(`${id}-`);
}

/** Names of every network namespace under /run/netns. */
export function allNetns(): string[] {
  try {
    return readdirSync('/run/netns');
  } catch {
    return [];
  }
}

export async function allLinks(): Promise<string[]> {
  const r = await runCommand([tool('ip'), '-j', 'link', 'show']);
  const parsed: unknown = JSON.parse(r.stdout || '[]');
  if (!Array.isArray(parsed)) return [];
  return parsed.flatMap((l: unknown) =>
    typeof l === 'object' && l !== null && 'ifname' in l && typeof l.ifname === 'string' ? [l.ifname] : [],
  );
}

/** Mount points from /proc/self/mountinfo (octal escapes decoded). */
export function allMounts(): string[] {
  return readFileSync('/proc/self/mountinfo', 'utf8')
    .split('\n')
    .flatMap((line) => {
      const mp = line.split(' ')[4];
      return mp ? [mp.replace(/\\([0-7]{3})/g, (_m, o: string) => String.fromCharCode(parseInt(o, 8)))] : [];
    });
}

export async function allNftTables(): Promise<{ family: string; name: string }[]> {
  const r = await runCommand([tool('nft'), '-j', 'list', 'tables']);
  const parsed: unknown = JSON.parse(r.stdout || '{}');
  const items: unknown[] =
    typeof parsed === 'object' && parsed !== null && 'nftables' in parsed && Array.isArray(parsed.nftables)
      ? (parsed.nftables as unknown[])
      : [];
  return items.flatMap((i) => {
    if (typeof i !== 'object' || i === null || !('table' in i)) return [];
    const t = i.table;
    if (typeof t !== 'object' || t === null || !('family' in t) || !('name' in t)) return [];
    return typeof t.family === 'string' && typeof t.name === 'string'
      ? [{ family: t.family, name: t.name }]
      : [];
  });
}

/** `iptables -S FORWARD` lines carrying a lab's comment. */
async function forwardRules(id: string): Promise<string[]> {
  if (!findTool('iptables')) return [];
  const r = await runCommand([tool('iptables'), '-w', '-S', 'FORWARD'], { check: false });
  return r.stdout
    .split('\n')
    .filter((l) => l.startsWith('-A ') && new RegExp(`--comment "?${id}"?( |$)`).test(l));
}

/** Lab cgroup directories: `<hierarchy>/<id>` in the v2 root and in every v1 hierarchy. */
function cgroupDirs(id: string): string[] {
  const base = '/sys/fs/cgroup';
  const roots = [base];
  try {
    for (const e of readdirSync(base, { withFileTypes: true }))
      if (e.isDirectory()) roots.push(join(base, e.name));
  } catch {
    return [];
  }
  return roots.map((r) => join(r, id)).filter((d) => existsSync(d));
}

function cgroupProcs(dir: string): number[] {
  const pids: number[] = [];
  const walk = (d: string): void => {
    try {
      for (const p of readFileSync(join(d, 'cgroup.procs'), 'utf8').split('\n')) if (p) pids.push(Number(p));
      for (const e of readdirSync(d, { withFileTypes: true })) if (e.isDirectory()) walk(join(d, e.name));
    } catch {
      // removed meanwhile
    }
  };
  walk(dir);
  return pids;
}

function nsInode(path: string): number | undefined {
  try {
    return statSync(path).ino;
  } catch {
    return undefined;
  }
}

/** Live (non-zombie) processes that are in one of the netns, in a lab cgroup, or run from the run dir. */
function labPids(id: string, netnsInodes: ReadonlySet<number>, cgroups: readonly string[]): number[] {
  const found = new Set<number>(cgroups.flatMap(cgroupProcs));
  const dirMark = `${runDir(id)}/`;
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const pid = Number(entry);
    try {
      const ns = /\[(\d+)\]/.exec(readlinkSync(`/proc/${pid}/ns/net`))?.[1];
      if (ns && netnsInodes.has(Number(ns))) found.add(pid);
      else if (readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(dirMark)) found.add(pid);
    } catch {
      // exited meanwhile
    }
  }
  found.delete(process.pid);
  return [...found].filter(isAlive);
}

/** Whether a pid names a running (not zombie) process. */
export function isAlive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
    return state !== 'Z' && state !== 'X';
  } catch {
    return false;
  }
}

export async function findLabResources(id: string): Promise<LabResources> {
  const netns = allNetns().filter((n) => belongs(id, n));
  const inodes = new Set(netns.flatMap((n) => nsInode(`/run/netns/${n}`) ?? []));
  const cgroups = cgroupDirs(id);
  const dir = runDir(id);
  return {
    netns,
    links: (await allLinks()).filter((l) => belongs(id, l)),
    mounts: allMounts().filter(
      (m) => m === dir || m.startsWith(`${dir}/`) || netns.some((n) => m === `/run/netns/${n}`),
    ),
    pids: labPids(id, inodes, cgroups),
    nftTables: (await allNftTables()).filter((t) => belongs(id, t.name)).map((t) => `${t.family} ${t.name}`),
    iptablesRules: await forwardRules(id),
    cgroups,
    dir: existsSync(dir),
  };
}

async function waitGone(pids: readonly number[], ms: number): Promise<number[]> {
  const until = Date.now() + ms;
  let left = pids.filter(isAlive);
  while (left.length > 0 && Date.now() < until) {
    await delay(25);
    left = left.filter(isAlive);
  }
  return left;
}

/** SIGKILLs a set of processes and waits (bounded) for them to be gone; returns the survivors. */
export async function killAll(pids: readonly number[], ms = 5_000): Promise<number[]> {
  for (const pid of pids) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  return waitGone(pids, ms);
}

/** Removes a cgroup and its children (only directories: a cgroup's files go with it). */
function rmdirTree(dir: string): void {
  try {
    for (const e of readdirSync(dir, { withFileTypes: true }))
      if (e.isDirectory()) rmdirTree(join(dir, e.name));
    rmdirSync(dir);
  } catch (e: unknown) {
    if (!(e instanceof Error && 'code' in e && e.code === 'ENOENT')) throw e;
  }
}

/**
 * Removes everything of lab `id` that is left: kills its processes, unmounts, deletes namespaces,
 * links, nftables table, iptables rule, cgroups and the run directory. Returns what failed.
 */
export async function removeLabResources(id: string): Promise<string[]> {
  const failures: string[] = [];
  const attempt = async (what: string, fn: () => Promise<unknown>): Promise<void> => {
    try {
      await fn();
    } catch (e: unknown) {
      failures.push(`${what}: ${e instanceof Error ? e.message : String(e)}`);
    }
  };
  const found = await findLabResources(id);
  const survivors = await killAll(found.pids);
  if (survivors.length > 0) failures.push(`processes still alive after SIGKILL: ${survivors.join(', ')}`);

  // Deepest first; a mount point can be stacked, so unmount until mountinfo no longer shows it.
  const dir = runDir(id);
  for (let round = 0; round < 5; round++) {
    const mounts = allMounts()
      .filter((m) => m === dir || m.startsWith(`${dir}/`))
      .sort((a, b) => b.length - a.length);
    if (mounts.length === 0) break;
    for (const m of mounts) await runCommand([tool('umount'), '-l', m], { check: false });
  }
  for (const n of found.netns) {
    // Another sweeper may have got there first: only a namespace still listed is a failure.
    const r = await runCommand([tool('ip'), 'netns', 'del', n], { check: false });
    if (r.code !== 0 && allNetns().includes(n)) failures.push(`netns ${n}: ${r.stderr.trim()}`);
  }
  const links = (await allLinks()).filter((l) => belongs(id, l));
  const bridge = bridgeName(id);
  for (const l of [...links.filter((x) => x !== bridge), ...links.filter((x) => x === bridge)]) {
    // A veth vanishes on its own when its namespace goes; only complain if it is still there.
    const r = await runCommand([tool('ip'), 'link', 'del', l], { check: false });
    if (r.code !== 0 && (await allLinks()).includes(l)) failures.push(`link ${l}: ${r.stderr.trim()}`);
  }
  for (const t of found.nftTables) {
    const r = await runCommand([tool('nft'), 'delete', 'table', ...t.split(' ')], { check: false });
    const left = (await allNftTables()).some((x) => `${x.family} ${x.name}` === t);
    if (r.code !== 0 && left) failures.push(`nft table ${t}: ${r.stderr.trim()}`);
  }
  for (const rule of await forwardRules(id)) {
    const args = rule.replace(/^-A /, '-D ').replaceAll('"', '').split(/\s+/);
    await runCommand([tool('iptables'), '-w', ...args], { check: false });
  }
  const rulesLeft = await forwardRules(id);
  if (rulesLeft.length > 0) failures.push(`iptables rules left: ${rulesLeft.join('; ')}`);
  for (const cg of cgroupDirs(id)) {
    await attempt(`cgroup ${cg}`, async () => {
      for (let i = 0; ; i++) {
        try {
          rmdirTree(cg);
          return;
        } catch (e: unknown) {
          if (i >= 40) throw e;
          await killAll(cgroupProcs(cg), 1_000);
          await delay(25);
        }
      }
    });
  }
  const stillMounted = allMounts().filter((m) => m === dir || m.startsWith(`${dir}/`));
  if (stillMounted.length > 0) failures.push(`still mounted: ${stillMounted.join(', ')}`);
  else await attempt(`directory ${dir}`, () => rm(dir, { recursive: true, force: true }));
  return failures;
}
