// Which address a node advertises to the swarm, the way Docker decides: the address (or the
// interface) given with --advertise-addr, else the listen address if it is specific, else the
// one non-loopback IPv4 address of the machine; with several, the user must choose. The
// interfaces shoal itself makes (overlay bridges, VXLAN devices, veths, the gateway bridge,
// also ones a previous run left) are not the machine's, as Docker leaves out its own networks.

import { networkInterfaces } from 'node:os';
import { isShoalLinkName } from '../agent/network/overlay/link-names.js';
import { parseHostPort } from './config.js';

export class AdvertiseAddrError extends Error {
  readonly code = 'ADVERTISE_ADDR';
  constructor(message: string) {
    super(message);
    this.name = 'AdvertiseAddrError';
  }
}

type Interfaces = ReturnType<typeof networkInterfaces>;

function ipv4Of(ifaces: Interfaces, name: string): string | undefined {
  return ifaces[name]?.find((a) => a.family === 'IPv4')?.address;
}

function isIp(host: string): boolean {
  return /^\d{1,3}(\.\d{1,3}){3}$/.test(host) || host.includes(':');
}

/**
 * Resolves to "host:port". `advertise` may be "", an IP, an interface name, or either with
 * ":port"; the port defaults to the listen port.
 */
export function resolveAdvertiseAddr(
  advertise: string,
  listenAddr: string,
  ifaces: Interfaces = networkInterfaces(),
): string {
  const listen = parseHostPort(listenAddr, 2377, '--listen-addr');
  if (advertise !== '') {
    const a = parseHostPort(advertise, listen.port, '--advertise-addr');
    if (isIp(a.host)) return `${a.host}:${a.port}`;
    const ip = ipv4Of(ifaces, a.host);
    if (!ip) {
      throw new AdvertiseAddrError(
        `advertise address must be a non-zero IP address or network interface (with optional port number): interface ${a.host} has no IPv4 address`,
      );
    }
    return `${ip}:${a.port}`;
  }
  if (listen.host !== '0.0.0.0' && listen.host !== '::' && isIp(listen.host))
    return `${listen.host}:${listen.port}`;
  const candidates: { iface: string; ip: string }[] = [];
  for (const [name, addrs] of Object.entries(ifaces)) {
    if (isShoalLinkName(name)) continue;
    for (const a of addrs ?? []) {
      if (a.family === 'IPv4' && !a.internal) candidates.push({ iface: name, ip: a.address });
    }
  }
  if (candidates.length === 1) return `${candidates[0]!.ip}:${listen.port}`;
  if (candidates.length === 0) {
    throw new AdvertiseAddrError(
      'could not find a local address to advertise; specify one with --advertise-addr',
    );
  }
  throw new AdvertiseAddrError(
    `could not choose an IP address to advertise since this system has multiple addresses on different interfaces (${candidates
      .map((c) => `${c.ip} on ${c.iface}`)
      .join(' and ')}) - specify one with --advertise-addr`,
  );
}
