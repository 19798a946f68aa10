// The data root holds the cluster's secrets: the Raft log carries the root CA key, swarm/
// the node key, and the stores what the cluster runs. Only the user shoald runs as may read
// any of it. shoald makes sure of it three ways:
//  - the process umask is 0o077 (restrictUmask), so every file and directory created after
//    start (LevelDB's new tables and logs, the agent's database, temp files) is private;
//  - every directory of the data root shoald creates is 0700 (whatever the umask was before,
//    however many levels of the path are new);
//  - an existing data root is checked at start: directories 0700 and files without group or
//    other bits, fixed with a warning that names what changed; anything owned by another user
//    (who could read it or change it back) is refused, with what to do.

import { chmod, lstat, mkdir, readdir, stat } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import type { Stats } from 'node:fs';

/** Bits no one but the owner may hold on anything under the data root. */
const GROUP_AND_OTHER = 0o077;
export const PRIVATE_UMASK = 0o077;
export const DATA_DIR_MODE = 0o700;

export class DataRootError extends Error {
  readonly code = 'DATA_ROOT';
  constructor(message: string) {
    super(message);
    this.name = 'DataRootError';
  }
}

/** Makes every file the process creates from now on private to its user. */
export function restrictUmask(): void {
  process.umask(PRIVATE_UMASK);
}

export interface ModeFix {
  readonly path: string;
  readonly from: number;
  readonly to: number;
}

export interface DataRootReport {
  /** Directories shoald created (each 0700), outermost first. */
  readonly created: readonly string[];
  /** Modes it tightened on an existing root. */
  readonly fixed: readonly ModeFix[];
}

export interface DataRootLogger {
  warn(obj: object, msg: string): void;
}

function octal(mode: number): string {
  return `0${(mode & 0o7777).toString(8).padStart(3, '0')}`;
}

/**
 * Creates every missing directory of `path` with `mode` set explicitly (not left to the umask),
 * outermost first, and returns the ones it created. A directory that appears meanwhile is
 * left as it is (it is not ours to change).
 */
export async function makeDirs(path: string, mode: number): Promise<string[]> {
  const missing: string[] = [];
  for (let p = resolve(path); ; p = dirname(p)) {
    try {
      await stat(p);
      break;
    } catch (e: unknown) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
      missing.push(p);
      if (dirname(p) === p) break;
    }
  }
  const created: string[] = [];
  for (const p of missing.reverse()) {
    try {
      await mkdir(p, { mode });
    } catch (e: unknown) {
      if ((e as NodeJS.ErrnoException).code === 'EEXIST') continue;
      throw e;
    }
    await chmod(p, mode);
    created.push(p);
  }
  return created;
}

function currentUid(): number | undefined {
  return typeof process.getuid === 'function' ? process.getuid() : undefined;
}

function refuseForeign(path: string, st: Stats, uid: number, root: string): never {
  throw new DataRootError(
    `${path} is owned by uid ${st.uid}, but shoald runs as uid ${uid}: that user could read the ` +
      `cluster's keys or loosen their permissions again. Give the data root to shoald's user ` +
      `(chown -R ${uid} ${root}) or start shoald with another --data-root.`,
  );
}

/**
 * Prepares the data root at start: creates it (0700, and every new directory above it), then
 * walks it and tightens every directory to 0700 and every file to its owner's bits only.
 * Symbolic links are followed (an operator may keep the Raft log on another disk) but each
 * directory is visited once. Throws DataRootError when the root is not a directory or anything
 * in it belongs to another user.
 */
export async function prepareDataRoot(path: string, logger: DataRootLogger): Promise<DataRootReport> {
  const root = resolve(path);
  const created = await makeDirs(root, DATA_DIR_MODE);
  const uid = currentUid();
  const fixed: ModeFix[] = [];
  const rootStat = await stat(root);
  if (!rootStat.isDirectory()) throw new DataRootError(`--data-root ${root} is not a directory`);
  const visited = new Set<string>();
  const pending: { path: string; st: Stats }[] = [{ path: root, st: rootStat }];
  for (let item = pending.pop(); item !== undefined; item = pending.pop()) {
    const { path: p, st } = item;
    if (uid !== undefined && st.uid !== uid) refuseForeign(p, st, uid, root);
    const dir = st.isDirectory();
    if ((st.mode & GROUP_AND_OTHER) !== 0) {
      const to = dir ? DATA_DIR_MODE : st.mode & 0o700;
      await chmod(p, to);
      fixed.push({ path: p, from: st.mode & 0o7777, to });
    }
    if (!dir) continue;
    const key = `${st.dev}:${st.ino}`;
    if (visited.has(key)) continue;
    visited.add(key);
    let names: string[];
    try {
      names = await readdir(p);
    } catch (e: unknown) {
      throw new DataRootError(
        `cannot read ${p} in the data root (${(e as Error).message}); shoald must own everything under ${root}`,
      );
    }
    for (const name of names) {
      const child = join(p, name);
      const childStat = await lstat(child);
      // Only what shoald writes is tightened: directories and regular files. A link is not
      // followed (it may point anywhere on the machine: chmod-ing its target would change files
      // shoald does not own); a socket (the API's, when it lives under the data root) keeps the
      // mode its listener gives it.
      if (childStat.isDirectory() || childStat.isFile()) pending.push({ path: child, st: childStat });
    }
  }
  if (fixed.length > 0) {
    const shown = fixed.slice(0, 20).map((f) => `${f.path} ${octal(f.from)} -> ${octal(f.to)}`);
    logger.warn(
      { fixed: shown, count: fixed.length },
      `the data root ${root} was readable by other users; tightened ${fixed.length} permission(s): ` +
        `${shown.join(', ')}${fixed.length > shown.length ? ', …' : ''}`,
    );
  }
  return { created, fixed };
}
