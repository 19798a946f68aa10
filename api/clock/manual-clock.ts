// A clock tests move by hand: timers fire, in time order, only inside `advance()`.

import type { Cancel, Clock } from './clock.js';

interface Timer {
  readonly id: number;
  at: number;
  readonly fn: () => void;
  readonly every: number | undefined;
}

export class ManualClock implements Clock {
  #now: number;
  #seq = 0;
  readonly #timers = new Map<number, Timer>();

  constructor(start = Date.UTC(2024, 0, 1)) {
    this.#now = start;
  }

  now(): number {
    return this.#now;
  }

  /** The clock as the store's timestamp source. */
  readonly date = (): Date => new Date(this.#now);

  setTimeout(fn: () => void, ms: number): Cancel {
    return this.#add(fn, ms, undefined);
  }

  setInterval(fn: () => void, ms: number): Cancel {
    return this.#add(fn, ms, Math.max(1, ms));
  }

  #add(fn: () => void, ms: number, every: number | undefined): Cancel {
    const id = ++this.#seq;
    this.#timers.set(id, { id, at: this.#now + Math.max(0, ms), fn, every });
    return () => this.#timers.delete(id);
  }

  /** Timers not yet fired. */
  get pending(): number {
    return this.#timers.size;
  }

  /** Moves time forward by `ms`, firing every timer that falls due on the way. */
  advance(ms: number): void {
    const end = this.#now + ms;
    for (;;) {
      let next: Timer | undefined;
      for (const t of this.#timers.values())
        if (t.at <= end && (next === undefined || t.at < next.at)) next = t;
      if (next === undefined) break;
      this.#now = Math.max(this.#now, next.at);
      if (next.every === undefined) this.#timers.delete(next.id);
      else next.at += next.every;
      next.fn();
    }
    this.#now = end;
  }
}
