// What wrk (4.1.0, `wrk --latency`) printed, read into figures: requests/s, the p50 and p99
// latencies, and the errors (non-2xx/3xx answers, socket errors). mesh-throughput.ts runs wrk.

interface SocketErrors {
  readonly connect: number;
  readonly read: number;
  readonly write: number;
  readonly timeout: number;
}

export interface WrkResult {
  readonly requestsPerSec: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly requests: number;
  readonly non2xx3xx: number;
  readonly socketErrors: SocketErrors;
}

const UNIT_MS: Record<string, number> = { us: 0.001, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

function toMs(text: string): number {
  const m = /^([\d.]+)(us|ms|s|m|h)$/.exec(text);
  if (!m) throw new Error(`cannot read the latency "${text}" of wrk's output`);
  return Number(m[1]) * (UNIT_MS[m[2] ?? ''] ?? NaN);
}

export function parseWrk(out: string): WrkResult {
  const rps = /^Requests\/sec:\s+([\d.]+)/m.exec(out)?.[1];
  const p50 = /^\s*50%\s+(\S+)/m.exec(out)?.[1];
  const p99 = /^\s*99%\s+(\S+)/m.exec(out)?.[1];
  const requests = /^\s*(\d+) requests in /m.exec(out)?.[1];
  if (rps === undefined || p50 === undefined || p99 === undefined || requests === undefined) {
    throw new Error(`wrk printed no Requests/sec or latency distribution:\n${out}`);
  }
  const sock = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(out);
  return {
    requestsPerSec: Number(rps),
    p50Ms: toMs(p50),
    p99Ms: toMs(p99),
    requests: Number(requests),
    non2xx3xx: Number(/Non-2xx or 3xx responses: (\d+)/.exec(out)?.[1] ?? 0),
    socketErrors: {
      connect: Number(sock?.[1] ?? 0),
      read: Number(sock?.[2] ?? 0),
      write: Number(sock?.[3] ?? 0),
      timeout: Number(sock?.[4] ?? 0),
    },
  };
}

export function errorCount(r: WrkResult): number {
  const e = r.socketErrors;
  return r.non2xx3xx + e.connect + e.read + e.write + e.timeout;
}

export function describeErrors(r: WrkResult): string {
  const e = r.socketErrors;
  const parts = [
    r.non2xx3xx ? `${r.non2xx3xx} non-2xx/3xx` : '',
    e.connect ? `${e.connect} connect` : '',
    e.read ? `${e.read} read` : '',
    e.write ? `${e.write} write` : '',
    e.timeout ? `${e.timeout} timeout` : '',
  ].filter((p) => p !== '');
  return parts.length === 0 ? 'none' : parts.join(', ');
}
