// What the lab needs from the machine, checked up front so a missing piece fails loudly with the
// fix, instead of surfacing later as an obscure error (or a skipped test).

import { accessSync, constants, existsSync, openSync, readSync, closeSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { BUSYBOX_BINARY } from './busybox-image.js';
import { LabPrerequisiteError } from './errors.js';

export type Tool =
  | 'ip'
  | 'nsenter'
  | 'unshare'
  | 'mount'
  | 'umount'
  | 'tar'
  | 'nft'
  | 'dockerd'
  | 'containerd'
  | 'runc'
  | 'docker'
  | 'iptables';

/** Debian package that provides each program the lab always runs (iptables only with br_netfilter). */
const TOOLS: Readonly<Record<Exclude<Tool, 'iptables'>, string>> = {
  ip: 'iproute2',
  nsenter: 'util-linux',
  unshare: 'util-linux',
  mount: 'mount',
  umount: 'mount',
  tar: 'tar',
  nft: 'nftables',
  dockerd: 'docker.io',
  containerd: 'containerd',
  runc: 'runc',
  docker: 'docker.io',
};

const SEARCH = [
  ...(process.env['PATH'] ?? '').split(delimiter),
  '/usr/local/sbin',
  '/usr/sbin',
  '/sbin',
  '/usr/bin',
  '/bin',
];
const found = new Map<string, string>();

/** Absolute path of a program, or undefined if it is not installed. */
export function findTool(name: Tool): string | undefined {
  const cached = found.get(name);
  if (cached) return cached;
  for (const dir of SEARCH) {
    if (!dir) continue;
    const p = join(dir, name);
    try {
      accessSync(p, constants.X_OK);
      found.set(name, p);
      return p;
    } catch {
      // not in this directory
    }
  }
  return undefined;
}

/** Absolute path of a program the prerequisites check guaranteed (falls back to the bare name). */
export function tool(name: Tool): string {
  return findTool(name) ?? name;
}

/** True when bridged IPv4 traffic is passed through iptables (br_netfilter loaded and on). */
export function bridgeNetfilterActive(): boolean {
  try {
    const fd = openSync('/proc/sys/net/bridge/bridge-nf-call-iptables', 'r');
    const b = Buffer.alloc(4);
    readSync(fd, b, 0, 4, 0);
    closeSync(fd);
    return b.toString('utf8').trim().startsWith('1');
  } catch {
    return false;
  }
}

/** Whether an ELF file asks for a dynamic loader (PT_INTERP): a dynamic busybox fails in the image. */
function isDynamicElf(path: string): boolean {
  const fd = openSync(path, 'r');
  try {
    const head = Buffer.alloc(64);
    readSync(fd, head, 0, 64, 0);
    if (head.readUInt32BE(0) !== 0x7f454c46 || head[4] !== 2) return false; // only 64-bit ELF is checked
    const phoff = Number(head.readBigUInt64LE(0x20));
    const phentsize = head.readUInt16LE(0x36);
    const phnum = head.readUInt16LE(0x38);
    const table = Buffer.alloc(phentsize * phnum);
    readSync(fd, table, 0, table.length, phoff);
    for (let i = 0; i < phnum; i++) if (table.readUInt32LE(i * phentsize) === 3) return true;
    return false;
  } finally {
    closeSync(fd);
  }
}

/** Throws LabPrerequisiteError naming everything missing. */
export function checkPrerequisites(): void {
  const missing: string[] = [];
  if (process.platform !== 'linux') missing.push(`Linux is required (this is ${process.platform})`);
  if (process.getuid?.() !== 0) missing.push('root is required (network namespaces, bridges, dockerd)');
  for (const [name, pkg] of Object.entries(TOOLS) as [Tool, string][]) {
    if (!findTool(name)) missing.push(`\`${name}\` not found (apt-get install ${pkg})`);
  }
  if (bridgeNetfilterActive() && !findTool('iptables')) {
    missing.push('br_netfilter is active but `iptables` is not installed (apt-get install iptables)');
  }
  if (!existsSync(BUSYBOX_BINARY)) {
    missing.push(`${BUSYBOX_BINARY} not found (apt-get install busybox-static)`);
  } else if (isDynamicElf(BUSYBOX_BINARY)) {
    missing.push(
      `${BUSYBOX_BINARY} is dynamically linked (apt-get install busybox-static, which replaces busybox)`,
    );
  }
  if (!existsSync('/proc/self/ns/net')) missing.push('the kernel has no network namespaces');
  if (!existsSync('/sys/fs/cgroup')) missing.push('/sys/fs/cgroup is not mounted');
  if (missing.length > 0) throw new LabPrerequisiteError(missing);
}
