// The leader's budget for large network views on their way to agents. A view is held in the
// leader's memory from the moment it is written to a node's stream until HTTP/2 flow control
// lets it out, i.e. until the node reads it. When many nodes need a whole view at once (every
// session opens on a new leader, or the dispatcher resynchronizes after a watch overflow), a
// 2,000-node swarm with one large overlay would otherwise hold 2,000 copies of several MB each:
// gigabytes, and event-loop stalls long enough to cost the leader its term. Within the budget a
// view goes out at once; past it, the node gets its tasks now and its view a moment later
// (the dispatcher offers it again), as a slow node does. Small views (patches) never wait.

/** Bytes of large views in flight across all nodes, unless the dispatcher is told otherwise. */
export const DEFAULT_VIEW_BUDGET_BYTES = 64 * 1024 * 1024;

/** A view smaller than this is not counted (one task's change is a few hundred bytes). */
export const COUNTED_VIEW_BYTES = 64 * 1024;

/** A view admitted by the budget; release it once the node has taken it (or cannot any more). */
export interface ViewTicket {
  /** Idempotent. */
  release(): void;
}

const UNCOUNTED: ViewTicket = { release: () => undefined };

export class ViewBudget {
  readonly #limit: number;
  #inFlight = 0;

  constructor(limitBytes = DEFAULT_VIEW_BUDGET_BYTES) {
    if (!Number.isSafeInteger(limitBytes) || limitBytes < 1) {
      throw new RangeError(`a view budget must be a positive number of bytes, not ${limitBytes}`);
    }
    this.#limit = limitBytes;
  }

  /** Bytes of counted views written and not yet released. */
  get inFlight(): number {
    return this.#inFlight;
  }

  /**
   * Admits a view of `bytes`, or refuses it (undefined) while the views in flight would pass
   * the budget. A view larger than the whole budget goes when nothing else is in flight, so
   * every view is sent in the end.
   */
  take(bytes: number): ViewTicket | undefined {
    if (bytes < COUNTED_VIEW_BYTES) return UNCOUNTED;
    if (this.#inFlight > 0 && this.#inFlight + bytes > this.#limit) return undefined;
    this.#inFlight += bytes;
    let open = true;
    return {
      release: () => {
        if (!open) return;
        open = false;
        this.#inFlight -= bytes;
      },
    };
  }
}
