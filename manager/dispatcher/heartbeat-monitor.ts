// Heartbeat deadlines of the nodes, on an injected clock. A beat moves the node's deadline;
// its timer, when it fires early because the deadline moved, re-arms for the rest instead of
// being cancelled and recreated on every beat. A node whose deadline passes is expired once.

import type { Cancel, Clock } from '../../api/clock/clock.js';

interface Entry {
  deadline: number;
  cancel: Cancel;
}

export class HeartbeatMonitor {
  readonly #clock: Clock;
  readonly #onExpire: (nodeId: string) => void;
  readonly #entries = new Map<string, Entry>();

  constructor(clock: Clock, onExpire: (nodeId: string) => void) {
    this.#clock = clock;
    this.#onExpire = onExpire;
  }

  /** Number of nodes being watched. */
  get size(): number {
    return this.#entries.size;
  }

  has(nodeId: string): boolean {
    return this.#entries.has(nodeId);
  }

  /** The node is alive: it expires unless it beats again within `graceMs`. */
  beat(nodeId: string, graceMs: number): void {
    const deadline = this.#clock.now() + graceMs;
    const entry = this.#entries.get(nodeId);
    if (entry !== undefined && deadline >= entry.deadline) {
      entry.deadline = deadline;
      return;
    }
    entry?.cancel();
    this.#arm(nodeId, deadline, graceMs);
  }

  /** Stops watching a node (it will not expire). */
  forget(nodeId: string): void {
    this.#entries.get(nodeId)?.cancel();
    this.#entries.delete(nodeId);
  }

  close(): void {
    for (const e of this.#entries.values()) e.cancel();
    this.#entries.clear();
  }

  #arm(nodeId: string, deadline: number, inMs: number): void {
    const entry: Entry = { deadline, cancel: () => undefined };
    entry.cancel = this.#clock.setTimeout(() => this.#fire(nodeId, entry), Math.max(0, inMs));
    this.#entries.set(nodeId, entry);
  }

  #fire(nodeId: string, entry: Entry): void {
    if (this.#entries.get(nodeId) !== entry) return;
    const left = entry.deadline - this.#clock.now();
    if (left > 0) {
      this.#arm(nodeId, entry.deadline, left);
      return;
    }
    this.#entries.delete(nodeId);
    this.#onExpire(nodeId);
  }
}
