// A host's mount namespace: a copy of the machine's in which the host's own directories are
// bind-mounted over the paths every node daemon on a machine shares by convention (the network
// plugin directory dockerd scans, shoald's run directory). Without it every lab engine would see
// every lab host's plugin socket, since all hosts share one file system. With it, a host runs
// exactly as a real machine does: one dockerd, one plugin named `shoal`, one /run/shoal.

import { mkdir, writeFile } from 'node:fs/promises';
import { HOST_PRIVATE_PATHS, type HostPrivatePath } from './lab-names.js';
import { tool } from './prerequisites.js';
import { runCommand } from './run-command.js';

export interface MountHost {
  readonly mountNsPath: string;
  readonly privateDirs: Readonly<Record<HostPrivatePath, string>>;
}

/**
 * Makes `dir` a mount point of its own with private propagation: the kernel refuses to keep a
 * mount namespace alive by a bind mount of its nsfs file below a shared mount (systemd makes `/`
 * shared), and nothing mounted below `dir` should propagate to the machine's other mounts.
 */
export async function makePrivateMount(dir: string): Promise<void> {
  await runCommand([tool('mount'), '--bind', dir, dir]);
  await runCommand([tool('mount'), '--make-private', dir]);
}

/**
 * Creates the host's mount namespace (kept alive by a bind mount at `mountNsPath`, which must be
 * below a private mount) as a slave of the machine's: mounts made on the machine appear inside,
 * mounts made inside (dockerd's container file systems, network namespaces) stay inside.
 */
export async function createMountNamespace(h: MountHost): Promise<void> {
  // The mount points exist on the machine (as a Docker installation makes them); the host's
  // directories are mounted over them only inside its namespace.
  for (const path of HOST_PRIVATE_PATHS) {
    await mkdir(path, { recursive: true });
    await mkdir(h.privateDirs[path], { recursive: true });
  }
  await writeFile(h.mountNsPath, '');
  const [first, ...rest] = HOST_PRIVATE_PATHS;
  const bind = (path: HostPrivatePath): string[] => [tool('mount'), '--bind', h.privateDirs[path], path];
  await runCommand([tool('unshare'), `--mount=${h.mountNsPath}`, '--propagation', 'slave', ...bind(first)]);
  for (const path of rest) {
    await runCommand([tool('nsenter'), `--mount=${h.mountNsPath}`, '--', ...bind(path)]);
  }
}
