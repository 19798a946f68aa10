// The node's own resolvers, from /etc/resolv.conf: where names outside the swarm are forwarded.

import { readFile } from 'node:fs/promises';
import { isIP } from 'node:net';

export interface UpstreamServer {
  readonly host: string;
  readonly port: number;
}

/** Nameservers of a resolv.conf text, in order (invalid lines and shoal's own 127.0.0.11 skipped). */
export function parseResolvConf(text: string): UpstreamServer[] {
  const out: UpstreamServer[] = [];
  for (const raw of text.split('\n')) {
    const line = raw.replace(/[#;].*$/, '').trim();
    const [keyword, value] = line.split(/\s+/);
    if (keyword !== 'nameserver' || value === undefined) continue;
    const host = value.replace(/%.*$/, ''); // IPv6 zone ids cannot be used by Node's dgram
    if (isIP(host) === 0 || host === '127.0.0.11') continue;
    out.push({ host, port: 53 });
  }
  return out;
}

export async function readNodeResolvers(path = '/etc/resolv.conf'): Promise<UpstreamServer[]> {
  try {
    return parseResolvConf(await readFile(path, 'utf8'));
  } catch {
    return [];
  }
}
