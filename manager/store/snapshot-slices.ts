// Long work done in slices on the event loop: a snapshot of 100,000 tasks takes most of a
// second of CPU, and a Raft leader that holds its event loop that long sends no heartbeats
// (its followers start an election after 1 to 2 s). The work runs until its slice has lasted
// SLICE_MS, then lets timers and I/O run, and stops once its signal aborts.

/** How long one slice runs before yielding (the event loop is held at most about this long). */
export const SLICE_MS = 8;

/** Elements a merge handles between looks at the clock. */
const CLOCK_EVERY = 1024;

/** Elements sorted in one go before the sorted runs are merged (about 2 ms on 100,000 tasks). */
const RUN = 4096;

export class Slicer {
  readonly #budgetMs: number;
  readonly #signal: AbortSignal;
  #start = performance.now();

  constructor(signal: AbortSignal, budgetMs = SLICE_MS) {
    signal.throwIfAborted();
    this.#signal = signal;
    this.#budgetMs = budgetMs;
  }

  /** Whether the current slice has used its time. */
  get due(): boolean {
    return performance.now() - this.#start >= this.#budgetMs;
  }

  /** Lets the event loop run, then starts a new slice; rejects with the reason once aborted. */
  async pause(): Promise<void> {
    await new Promise<void>((resolve) => setImmediate(resolve));
    this.#signal.throwIfAborted();
    this.#start = performance.now();
  }

  /** Pauses if the current slice has used its time. */
  async maybePause(): Promise<void> {
    if (this.due) await this.pause();
  }
}

/**
 * `items` sorted by `compare` (a new array; `items` is left as it was), in slices: runs of RUN
 * sorted at once, then merged pairwise. For a total order (no two items equal) the result is
 * what `[...items].sort(compare)` gives.
 */
export async function sortInSlices<T>(
  items: readonly T[],
  compare: (a: T, b: T) => number,
  slicer: Slicer,
): Promise<T[]> {
  const n = items.length;
  let src: T[] = [];
  for (let lo = 0; lo < n; lo += RUN) {
    for (const item of items.slice(lo, lo + RUN).sort(compare)) src.push(item);
    await slicer.maybePause();
  }
  let dst: T[] = new Array<T>(n);
  for (let width = RUN; width < n; width *= 2) {
    for (let lo = 0; lo < n; lo += 2 * width) {
      const mid = Math.min(lo + width, n);
      const hi = Math.min(lo + 2 * width, n);
      let [i, j] = [lo, mid];
      for (let k = lo; k < hi; k++) {
        dst[k] = j >= hi || (i < mid && compare(src[i]!, src[j]!) <= 0) ? src[i++]! : src[j++]!;
        if (k % CLOCK_EVERY === 0) await slicer.maybePause();
      }
    }
    [src, dst] = [dst, src];
  }
  return src;
}
