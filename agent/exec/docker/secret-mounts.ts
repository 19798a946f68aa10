// A task's secrets and configs on the host: one tmpfs per task (root-only, sized to its files)
// under the executor's secrets root, one file per reference with its owner and mode, each
// bind-mounted read-only into the container. The data lives in memory and never on a disk; the
// tmpfs goes when the task's container is removed, or, for tasks unassigned while the agent was
// down, when the worker sweeps what no assigned task owns. mount/umount run as argument arrays.

import { chmod, chown, mkdir, readdir, readFile, realpath, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type Dockerode from 'dockerode';
import { NodeCommands, type HostCommands } from '../../network/overlay/host-commands.js';
import { SecretMountError } from '../errors.js';
import type { TaskFile } from '../task-files.js';

/** Where the tmpfs of each task is made (a node's own subdirectory is given by the agent). */
export const DEFAULT_SECRETS_ROOT = '/run/shoal/secrets';
/** Shown as the filesystem's source in `mount` (inside the container too). */
const TMPFS_SOURCE = 'shoal-secrets';
const PAGE = 4096;
/** Room beyond the files' bytes (inodes, rounding). */
const SLACK_BYTES = 64 * 1024;

export class SecretMounts {
  constructor(
    private readonly root: string,
    private readonly commands: HostCommands = new NodeCommands(),
  ) {}

  /** The host directory of a task's tmpfs. */
  dirOf(taskId: string): string {
    if (!/^[A-Za-z0-9][A-Za-z0-9_.-]*$/.test(taskId))
      throw new SecretMountError(`preparing secrets of task ${taskId}`, 'not a task ID');
    return join(this.root, taskId);
  }

  /**
   * Makes the task's tmpfs afresh (a leftover of an earlier attempt is removed first), writes
   * its files and returns the container's bind mounts (none, and no tmpfs, without files).
   */
  async prepare(taskId: string, files: readonly TaskFile[]): Promise<Dockerode.MountSettings[]> {
    if (files.length === 0) return [];
    const dir = this.dirOf(taskId);
    await this.release(taskId);
    const bytes = files.reduce((n, f) => n + f.data.length + PAGE, SLACK_BYTES);
    const size = Math.ceil(bytes / PAGE) * PAGE;
    const operation = `preparing secrets of task ${taskId}`;
    try {
      await mkdir(this.root, { recursive: true, mode: 0o700 });
      await mkdir(dir, { mode: 0o700 });
      await this.commands.run([
        'mount',
        '-t',
        'tmpfs',
        '-o',
        `mode=0700,size=${size},nodev,nosuid,noexec`,
        TMPFS_SOURCE,
        dir,
      ]);
    } catch (e: unknown) {
      await rm(dir, { recursive: true, force: true }).catch(() => undefined);
      throw new SecretMountError(operation, `cannot mount a tmpfs on ${dir}: ${messageOf(e)}`);
    }
    try {
      const mounts: Dockerode.MountSettings[] = [];
      for (const f of files) {
        const path = join(dir, f.key);
        await writeFile(path, f.data, { mode: 0o600, flag: 'wx' });
        await chown(path, f.uid, f.gid);
        await chmod(path, f.mode);
        mounts.push({ Type: 'bind', Source: path, Target: f.target, ReadOnly: true });
      }
      return mounts;
    } catch (e: unknown) {
      await this.release(taskId).catch(() => undefined);
      throw new SecretMountError(operation, `cannot write its files in ${dir}: ${messageOf(e)}`);
    }
  }

  /** Unmounts and removes the task's tmpfs. No-op if it has none. */
  async release(taskId: string): Promise<void> {
    const dir = this.dirOf(taskId);
    // Lazily if busy (a container not yet fully gone): the kernel frees it once unused.
    for (let i = 0; i < 8 && (await isMountPoint(dir)); i++) {
      const r = await this.commands.run(['umount', dir], { allowFailure: true });
      if (r.code !== 0) await this.commands.run(['umount', '-l', dir]);
    }
    if (await isMountPoint(dir))
      throw new SecretMountError(`removing secrets of task ${taskId}`, `${dir} is still mounted`);
    await rm(dir, { recursive: true, force: true });
  }

  /** Releases the tmpfs of every task not in `assigned` (leftovers of tasks that went away). */
  async removeUnassigned(assigned: ReadonlySet<string>): Promise<void> {
    let entries: string[];
    try {
      entries = await readdir(this.root);
    } catch (e: unknown) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return;
      throw e;
    }
    for (const taskId of entries) if (!assigned.has(taskId)) await this.release(taskId);
  }
}

/** True when `dir` is a mount point in this process's mount namespace. */
export async function isMountPoint(dir: string): Promise<boolean> {
  // The table names canonical paths; a directory that does not exist is no mount point.
  const real = await realpath(dir).catch(() => undefined);
  if (real === undefined) return false;
  const table = await readFile('/proc/self/mountinfo', 'utf8');
  for (const line of table.split('\n')) {
    const mountPoint = line.split(' ')[4];
    if (mountPoint !== undefined && unescapeMountPath(mountPoint) === real) return true;
  }
  return false;
}

/** mountinfo writes space, tab, newline and backslash as octal escapes (\040 …). */
function unescapeMountPath(s: string): string {
  return s.replace(/\\([0-7]{3})/g, (_m, oct: string) => String.fromCharCode(parseInt(oct, 8)));
}

function messageOf(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
