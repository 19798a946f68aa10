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

/**
 * A duration for the store: the milliseconds the loops use and, when rounding to them lost
 * something (Docker's `Delay: 5` is 5 ns), the nanoseconds exactly as given, so the API reads
 * back what it was sent. Beyond 2^53 ns (104 days) JSON already rounded the value: none kept.
 */
export function durationToStore(ns: number): { ms: number; ns?: number } {
  const ms = nsToMs(ns);
  return msToNs(ms) === ns || !Number.isSafeInteger(ns) ? { ms } : { ms, ns };
}

/** The nanoseconds a stored duration reads back as (its exact value when one was kept). */
export function durationFromStore(ms: number, ns: number | undefined): number {
  return ns ?? msToNs(ms);
}
