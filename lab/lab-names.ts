// How a lab names what it makes. Every resource carries the lab's id, `shl-<pid>-<seq>` (both in
// base 36 so interface names fit the kernel's 15 characters), so parallel runs never collide and
// the sweep can find what a crashed run left behind and tell whether its owner still lives.

import { join } from 'node:path';

/** Every lab id starts with this; nothing else on the machine may. */
export const LAB_PREFIX = 'shl-';
/** Where labs keep their files: short, because unix socket paths must stay under 108 bytes. */
export const LAB_TMP = '/tmp';
/** Linux's IFNAMSIZ less the terminating zero. */
const MAX_IFNAME = 15;

const ID_RE = /^shl-([0-9a-z]{1,6})-([0-9a-z]{1,2})$/;
const ID_IN_NAME_RE = /^(shl-[0-9a-z]{1,6}-[0-9a-z]{1,2})(?:-|$)/;

let nextSeq = 0;

/** A fresh id for a lab owned by this process. */
export function newLabId(pid: number = process.pid): string {
  const seq = nextSeq++ % 36 ** 2;
  return `${LAB_PREFIX}${pid.toString(36)}-${seq.toString(36)}`;
}

export function isLabId(s: string): boolean {
  return ID_RE.test(s);
}

/** The owner's pid encoded in a lab id. */
export function ownerPidOf(id: string): number {
  const m = ID_RE.exec(id);
  if (!m?.[1]) throw new TypeError(`not a lab id: ${id}`);
  return parseInt(m[1], 36);
}

/** The lab id a resource name (netns, link, table, directory) belongs to, if any. */
export function labIdOf(name: string): string | undefined {
  return ID_IN_NAME_RE.exec(name)?.[1];
}

export function bridgeName(id: string): string {
  return fit(`${id}-br`);
}

/** The root-namespace end of host `index`'s veth (the end plugged into the bridge). */
export function vethName(id: string, index: number): string {
  return fit(`${id}-${index + 1}`);
}

export function netnsName(id: string, host: string): string {
  return `${id}-${host}`;
}

export function netnsPath(id: string, host: string): string {
  return `/run/netns/${netnsName(id, host)}`;
}

export function runDir(id: string): string {
  return join(LAB_TMP, id);
}

export function hostDir(id: string, host: string): string {
  return join(runDir(id), host);
}

/** The file that keeps a host's mount namespace alive (a bind mount of its nsfs file). */
export function mountNsPath(id: string, host: string): string {
  return join(hostDir(id, host), 'mnt');
}

/**
 * Paths every node daemon on a machine shares by convention, each given its own directory per
 * host (bind-mounted over it in the host's mount namespace): dockerd discovers network plugins by
 * their socket in /run/docker/plugins, and shoald listens on /run/shoal/shoal.sock.
 */
export const HOST_PRIVATE_PATHS = ['/run/docker/plugins', '/run/shoal'] as const;
export type HostPrivatePath = (typeof HOST_PRIVATE_PATHS)[number];

/** The host's own directory behind one of HOST_PRIVATE_PATHS (same file system, seen from anywhere). */
export function hostPrivateDir(id: string, host: string, path: HostPrivatePath): string {
  return join(hostDir(id, host), 'root', path);
}

/** The cgroup parent (below each hierarchy's root) under which a host's containers run. */
export function cgroupParent(id: string, host: string): string {
  return `/${id}/${host}`;
}

/** The nftables table (family bridge) holding the lab's fault rules. */
export function nftTable(id: string): string {
  return id;
}

function fit(name: string): string {
  if (name.length > MAX_IFNAME) throw new RangeError(`interface name ${name} is longer than ${MAX_IFNAME}`);
  return name;
}
