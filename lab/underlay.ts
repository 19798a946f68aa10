// The lab's LAN: one Linux bridge, and per host a network namespace (plus a UTS namespace for its
// hostname, and a mount namespace: host-mounts.ts) plugged into the bridge by a veth, with an address, loopback up and the chosen MTU.

import { mkdir, writeFile } from 'node:fs/promises';
import { bridgeNetfilterActive, tool } from './prerequisites.js';
import { runCommand } from './run-command.js';

export interface UnderlayHost {
  readonly name: string;
  readonly netns: string;
  readonly netnsPath: string;
  readonly utsPath: string;
  readonly mountNsPath: string;
  readonly dir: string;
  readonly veth: string;
  readonly iface: string;
  readonly cidr: string;
  readonly gateway?: string;
}

const ip = (...args: string[]): Promise<unknown> => runCommand([tool('ip'), ...args]);

export async function createBridge(bridge: string, mtu: number): Promise<void> {
  await ip(
    'link',
    'add',
    bridge,
    'mtu',
    String(mtu),
    'type',
    'bridge',
    'stp_state',
    '0',
    'forward_delay',
    '0',
  );
  await ip('link', 'set', bridge, 'up');
}

export async function plugHost(bridge: string, h: UnderlayHost, mtu: number): Promise<void> {
  await mkdir(h.dir, { recursive: true });
  await ip('netns', 'add', h.netns);
  await ip(
    'link',
    'add',
    h.veth,
    'mtu',
    String(mtu),
    'type',
    'veth',
    'peer',
    'name',
    h.iface,
    'mtu',
    String(mtu),
    'netns',
    h.netns,
  );
  await ip('link', 'set', h.veth, 'master', bridge, 'up');
  await ip('-n', h.netns, 'link', 'set', 'lo', 'up');
  await ip('-n', h.netns, 'addr', 'add', h.cidr, 'dev', h.iface);
  await ip('-n', h.netns, 'link', 'set', h.iface, 'up');
  if (h.gateway) await ip('-n', h.netns, 'route', 'add', 'default', 'via', h.gateway, 'dev', h.iface);
  // A UTS namespace kept alive by a bind mount (like `ip netns` does for the network one).
  await writeFile(h.utsPath, '');
  await runCommand([tool('unshare'), `--uts=${h.utsPath}`, 'hostname', h.name]);
}

/**
 * nsenter arguments that put a command in the host's network, UTS and mount namespaces, in the
 * caller's working directory (entering a mount namespace would otherwise move it to `/`).
 */
export function nsenterArgv(h: Pick<UnderlayHost, 'netnsPath' | 'utsPath' | 'mountNsPath'>): string[] {
  return [
    tool('nsenter'),
    `--net=${h.netnsPath}`,
    `--uts=${h.utsPath}`,
    `--mount=${h.mountNsPath}`,
    `--wd=${process.cwd()}`,
    '--',
  ];
}

export async function setLink(veth: string, state: 'up' | 'down'): Promise<void> {
  await ip('link', 'set', veth, state);
}

/**
 * With br_netfilter on, bridged IPv4 goes through iptables' FORWARD chain, whose policy a dockerd
 * in the root namespace sets to DROP: accept the lab bridge's own traffic there (tagged with the
 * lab id so teardown and the sweep find the rule). Returns whether a rule was added.
 */
export async function acceptBridgeForwarding(bridge: string, id: string): Promise<boolean> {
  if (!bridgeNetfilterActive()) return false;
  await runCommand([
    tool('iptables'),
    '-w',
    '-I',
    'FORWARD',
    '-i',
    bridge,
    '-o',
    bridge,
    '-m',
    'comment',
    '--comment',
    id,
    '-j',
    'ACCEPT',
  ]);
  return true;
}

/**
 * Replaces the lab's nftables table (family bridge, so it sees frames crossing the bridge whether
 * or not br_netfilter is loaded) with one that drops everything between each blocked pair of
 * veths, both ways. Atomic: one `nft -f` transaction.
 */
export async function applyBlocks(
  table: string,
  pairs: readonly (readonly [string, string])[],
): Promise<void> {
  const rules = pairs.flatMap(([a, b]) => [
    `    iifname "${a}" oifname "${b}" drop`,
    `    iifname "${b}" oifname "${a}" drop`,
  ]);
  const script = [
    `table bridge ${table}`,
    `delete table bridge ${table}`,
    `table bridge ${table} {`,
    '  chain forward {',
    '    type filter hook forward priority 0; policy accept;',
    ...rules,
    '  }',
    '}',
    '',
  ].join('\n');
  await runCommand([tool('nft'), '-f', '-'], { input: script });
}
