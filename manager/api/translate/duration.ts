// Durations: Docker's API carries Go time.Duration (integer nanoseconds); the store keeps
// integer milliseconds. Sub-millisecond parts are rounded to the nearest millisecond.

const NS_PER_MS = 1_000_000;

export function nsToMs(ns: number): number {
  return Math.round(ns / NS_PER_MS);
}

export function msToNs(ms: number): number {
  return ms * NS_PER_MS;
}
