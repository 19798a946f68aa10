// How often the nodes' network views move forward. Every step of the views (a seal of the
// network index) is sent to every node on the networks it changed, one message each; with
// hundreds of nodes on an overlay that fills up while thousands of tasks start, a step per
// store batch would be a message per node per batch. So the changes that arrive within
// `intervalMs` of the last step wait and are applied together: a quiet cluster's change goes
// out at once, a busy cluster's changes go out at most every `intervalMs`, each as one patch
// per network (a node that missed steps gets them composed: network-views.ts).
// The agent waits for a network it does not know yet (agent/network/driver/network-catalog.ts),
// so a task assigned meanwhile is not failed by the wait.

import type { Cancel, Clock } from '../../api/clock/clock.js';
import type { ChangeEvent } from '../store/index.js';

export interface ViewPacerOptions {
  readonly clock: Clock;
  /** Least time between two steps (ms); 0 applies every batch at once. */
  readonly intervalMs: number;
  /** Applies changes to the views and seals them as one step. */
  readonly apply: (changes: readonly ChangeEvent[]) => void;
  /** A step made by the pacer's timer: every session is sent what changed for it. */
  readonly stepped: () => void;
}

/** Default least time between two steps of the network views. */
export const VIEW_STEP_INTERVAL_MS = 200;

export class ViewPacer {
  readonly #o: ViewPacerOptions;
  #waiting: ChangeEvent[] = [];
  #lastStep = Number.NEGATIVE_INFINITY;
  #timer: Cancel | undefined;
  #closed = false;

  constructor(o: ViewPacerOptions) {
    this.#o = o;
  }

  /**
   * Takes changes (in store order). Returns true when they were applied now, in which case the
   * caller sends the sessions what changed; false when they wait for the next step.
   */
  push(changes: readonly ChangeEvent[]): boolean {
    if (this.#closed || changes.length === 0) return false;
    for (const c of changes) this.#waiting.push(c);
    if (this.#timer !== undefined) return false;
    const now = this.#o.clock.now();
    const due = this.#lastStep + this.#o.intervalMs;
    if (now >= due) {
      this.#step(now);
      return true;
    }
    this.#timer = this.#o.clock.setTimeout(() => {
      this.#timer = undefined;
      if (this.#closed || this.#waiting.length === 0) return;
      this.#step(this.#o.clock.now());
      this.#o.stepped();
    }, due - now);
    return false;
  }

  /** Forgets the changes waiting (the views are read from the store again, which holds them). */
  discard(): void {
    this.#waiting = [];
  }

  close(): void {
    this.#closed = true;
    this.#waiting = [];
    this.#timer?.();
    this.#timer = undefined;
  }

  #step(now: number): void {
    const changes = this.#waiting;
    this.#waiting = [];
    this.#lastStep = now;
    this.#o.apply(changes);
  }
}
