// Seeded randomness for the Raft core (election timeout jitter). The core never calls
// Math.random: tests and the simulator inject a generator and reproduce runs exactly.

export interface RandomSource {
  /** An integer in [0, n). */
  intn(n: number): number;
}

/** mulberry32: a small, fast, well-distributed 32-bit generator; deterministic for a seed. */
export class SeededRandom implements RandomSource {
  private state: number;
  constructor(seed: number) {
    this.state = seed >>> 0;
  }
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  intn(n: number): number {
    return Math.floor(this.next() * n);
  }
}
