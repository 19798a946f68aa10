// Recent swarm events, kept for `since` and fanned out to live /events streams. The log
// follows whichever store the node has as a manager (it changes on init/leave) and keeps the
// last `capacity` events, as dockerd keeps the last 1024.

import type { MemoryStore, Watcher } from '../store/index.js';
import { eventFromChange, type DockerEvent } from './translate/event.js';

export type EventListener = (event: DockerEvent) => void;

export class EventLog {
  readonly #clock: () => Date;
  readonly #capacity: number;
  readonly #events: DockerEvent[] = [];
  readonly #listeners = new Set<EventListener>();
  #store: MemoryStore | undefined;
  #watcher: Watcher | undefined;

  constructor(clock: () => Date, capacity = 1024) {
    this.#clock = clock;
    this.#capacity = capacity;
  }

  /** Starts following `store` (no-op if already following it). */
  follow(store: MemoryStore): void {
    if (this.#store === store && this.#watcher?.closed === false) return;
    this.#watcher?.close();
    this.#store = store;
    const watcher = store.watch({
      tables: ['services', 'nodes', 'tasks', 'networks', 'secrets', 'configs'],
      commits: false,
    });
    this.#watcher = watcher;
    void this.#pump(watcher);
  }

  async #pump(watcher: Watcher): Promise<void> {
    try {
      for await (const change of watcher) {
        if (change.action === 'commit') continue;
        const event = eventFromChange(change, this.#clock());
        if (event !== undefined) this.#publish(event);
      }
    } catch {
      // Overflowed: the next follow() subscribes again; events in the gap are lost, as
      // dockerd loses events a slow consumer misses.
      if (this.#watcher === watcher) this.#watcher = undefined;
    }
  }

  #publish(event: DockerEvent): void {
    this.#events.push(event);
    if (this.#events.length > this.#capacity) this.#events.splice(0, this.#events.length - this.#capacity);
    for (const listener of this.#listeners) listener(event);
  }

  /** Events kept, oldest first, with timeNano in [sinceNano, untilNano]. */
  recent(sinceNano: number, untilNano = Number.POSITIVE_INFINITY): DockerEvent[] {
    return this.#events.filter((e) => e.timeNano >= sinceNano && e.timeNano <= untilNano);
  }

  subscribe(listener: EventListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  close(): void {
    this.#watcher?.close();
    this.#watcher = undefined;
    this.#store = undefined;
    this.#listeners.clear();
  }
}
