// Underlay addressing: host i of a lab on subnet N/P gets N+11+i, and N+1 is the (unanswered)
// gateway. Low addresses stay free for what a test adds to the LAN (a registry, a stray host).

import { LabError } from './errors.js';

export interface HostAddresses {
  readonly hosts: readonly string[];
  readonly prefix: number;
  readonly gateway: string;
}

const FIRST_HOST_OFFSET = 11;

function toInt(a: string): number | undefined {
  const parts = a.split('.');
  if (parts.length !== 4) return undefined;
  let n = 0;
  for (const p of parts) {
    if (!/^\d{1,3}$/.test(p) || Number(p) > 255) return undefined;
    n = n * 256 + Number(p);
  }
  return n;
}

function toDotted(n: number): string {
  return [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.');
}

export function hostAddresses(subnet: string, count: number): HostAddresses {
  const [base, bits] = subnet.split('/');
  const prefix = Number(bits);
  const net = base === undefined ? undefined : toInt(base);
  if (net === undefined || !Number.isInteger(prefix) || prefix < 8 || prefix > 29) {
    throw new LabError('LAB_BAD_OPTIONS', `subnet ${subnet} is not an IPv4 CIDR with a /8 to /29 prefix`);
  }
  const size = 2 ** (32 - prefix);
  const start = net - (net % size);
  if (FIRST_HOST_OFFSET + count >= size - 1) {
    throw new LabError('LAB_BAD_OPTIONS', `subnet ${subnet} is too small for ${count} hosts`);
  }
  return {
    hosts: Array.from({ length: count }, (_, i) => toDotted(start + FIRST_HOST_OFFSET + i)),
    prefix,
    gateway: toDotted(start + 1),
  };
}
