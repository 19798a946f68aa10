// Removes what earlier lab runs left behind (a crashed or killed test never ran its destroy()).
// A lab is found by its id prefix in namespaces, links, nftables tables, iptables comments,
// cgroups and /tmp; it is removed only when the process that created it is gone, so a lab of a
// run going on in parallel is never touched. CLI:
//   node dist/lab/sweep.js              remove every lab whose owner is gone
//   node dist/lab/sweep.js --dry-run    list them, remove nothing
//   node dist/lab/sweep.js --force ID…  remove the named labs even if their owner runs

import { readdirSync, existsSync } from 'node:fs';
import { realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { LAB_TMP, isLabId, labIdOf } from './lab-names.js';
import { ownerAlive } from './lab-owner.js';
import { allLinks, allNetns, allNftTables, removeLabResources } from './lab-resources.js';
import { checkPrerequisites, findTool } from './prerequisites.js';
import { runCommand } from './run-command.js';

export interface SweepReport {
  /** Labs removed (or, with dryRun, that would be). */
  readonly removed: readonly string[];
  /** Labs left alone because their owner still runs. */
  readonly live: readonly string[];
  /** Steps that failed, prefixed with the lab id. */
  readonly failures: readonly string[];
}

export interface SweepOptions {
  readonly dryRun?: boolean;
  /** Remove these labs even if their owner runs (only these are considered). */
  readonly force?: readonly string[];
}

/** Every lab id that has something on this machine. */
export async function labIdsOnMachine(): Promise<string[]> {
  const names = [...allNetns(), ...(await allLinks()), ...(await allNftTables()).map((t) => t.name)];
  try {
    names.push(...readdirSync(LAB_TMP));
  } catch {
    // no /tmp listing: the other sources still count
  }
  for (const root of ['/sys/fs/cgroup', ...cgroupHierarchies()]) {
    try {
      names.push(...readdirSync(root));
    } catch {
      // not a directory we can read
    }
  }
  if (findTool('iptables')) {
    const r = await runCommand([findTool('iptables') ?? 'iptables', '-w', '-S', 'FORWARD'], { check: false });
    for (const m of r.stdout.matchAll(/--comment "?(shl-[0-9a-z-]+)"?/g)) if (m[1]) names.push(m[1]);
  }
  const ids = new Set<string>();
  for (const n of names) {
    const id = labIdOf(n);
    if (id !== undefined && isLabId(id)) ids.add(id);
  }
  return [...ids].sort();
}

function cgroupHierarchies(): string[] {
  try {
    return readdirSync('/sys/fs/cgroup', { withFileTypes: true })
      .filter((e) => e.isDirectory())
      .map((e) => `/sys/fs/cgroup/${e.name}`)
      .filter((p) => existsSync(p));
  } catch {
    return [];
  }
}

export async function sweep(options: SweepOptions = {}): Promise<SweepReport> {
  checkPrerequisites();
  const forced = new Set(options.force ?? []);
  const candidates = forced.size > 0 ? [...forced] : await labIdsOnMachine();
  const removed: string[] = [];
  const live: string[] = [];
  const failures: string[] = [];
  for (const id of candidates) {
    if (!isLabId(id)) {
      failures.push(`${id}: not a lab id (they look like shl-<pid>-<n>)`);
      continue;
    }
    if (!forced.has(id) && ownerAlive(id)) {
      live.push(id);
      continue;
    }
    removed.push(id);
    if (!options.dryRun) for (const f of await removeLabResources(id)) failures.push(`${id}: ${f}`);
  }
  return { removed, live, failures };
}

async function main(argv: readonly string[]): Promise<number> {
  const dryRun = argv.includes('--dry-run');
  const forceAt = argv.indexOf('--force');
  const force = forceAt >= 0 ? argv.slice(forceAt + 1).filter((a) => !a.startsWith('--')) : [];
  if (forceAt >= 0 && force.length === 0) {
    process.stderr.write('--force needs the lab ids to remove (see the list without it)\n');
    return 2;
  }
  const report = await sweep({ dryRun, force });
  const verb = dryRun ? 'would remove' : 'removed';
  process.stdout.write(
    `${verb}: ${report.removed.join(' ') || 'nothing'}\nleft (owner running): ${report.live.join(' ') || 'none'}\n`,
  );
  for (const f of report.failures) process.stderr.write(`failed: ${f}\n`);
  return report.failures.length > 0 ? 1 : 0;
}

const invokedPath = process.argv[1];
if (invokedPath !== undefined && realpathSync(invokedPath) === fileURLToPath(import.meta.url)) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (e: unknown) => {
      process.stderr.write(`${e instanceof Error ? e.message : String(e)}\n`);
      process.exit(1);
    },
  );
}
