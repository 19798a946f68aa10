// Drives a number of concurrent client loops through an operation and measures throughput and
// latency percentiles (shared by the benchmarks).

export interface Figures {
  readonly ops: number;
  readonly seconds: number;
  readonly p50: number;
  readonly p99: number;
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;
}

/** Runs `total` operations from `clients` concurrent loops; returns throughput and latencies. */
export async function load(
  clients: number,
  total: number,
  op: (i: number) => Promise<unknown>,
): Promise<Figures> {
  const lat: number[] = [];
  let next = 0;
  const start = process.hrtime.bigint();
  await Promise.all(
    Array.from({ length: clients }, async () => {
      while (next < total) {
        const i = next++;
        const t0 = process.hrtime.bigint();
        await op(i);
        lat.push(Number(process.hrtime.bigint() - t0) / 1e6);
      }
    }),
  );
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  lat.sort((a, b) => a - b);
  return { ops: total / seconds, seconds, p50: percentile(lat, 50), p99: percentile(lat, 99) };
}
