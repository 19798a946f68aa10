// Exponential back-off with jitter between session attempts: each failure doubles the ceiling
// (up to `maxMs`) and the wait is drawn from the upper half of it, so a fleet of agents that
// lost the same manager does not come back in lockstep.

export interface BackoffOptions {
  readonly initialMs?: number;
  readonly maxMs?: number;
  /** Uniform [0, 1) generator (injected for reproducible tests). */
  readonly random?: () => number;
}

export class Backoff {
  readonly #initial: number;
  readonly #max: number;
  readonly #random: () => number;
  #attempt = 0;

  constructor(o: BackoffOptions = {}) {
    this.#initial = o.initialMs ?? 100;
    this.#max = o.maxMs ?? 10_000;
    this.#random = o.random ?? Math.random;
    if (!(this.#initial > 0) || !(this.#max >= this.#initial))
      throw new RangeError('need 0 < initialMs <= maxMs');
  }

  /** Failures since the last reset. */
  get attempts(): number {
    return this.#attempt;
  }

  /** The wait before the next attempt (ms), and counts the failure. */
  next(): number {
    const ceiling = Math.min(this.#max, this.#initial * 2 ** Math.min(this.#attempt, 30));
    this.#attempt++;
    return Math.round(ceiling / 2 + (this.#random() * ceiling) / 2);
  }

  /** A session was established: the next failure starts from the initial wait again. */
  reset(): void {
    this.#attempt = 0;
  }
}
