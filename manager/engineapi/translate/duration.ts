// Durations: Docker's API carries Go time.Duration (integer nanoseconds); the store keeps
// integer milliseconds. Sub-millisecond parts are rounded to the nearest millisecond, keeping
// the sign: a negative duration stays negative (-1 ms at least), so the control layer refuses it.

const NS_PER_MS = 1_000_000;

export function nsToMs(ns: number): number {
  const ms = Math.round(ns / NS_PER_MS);
  return ns < 0 ? Math.min(-1, ms) : ms;
}

export function msToNs(ms: number): number {
  return ms * NS_PER_MS;
}
