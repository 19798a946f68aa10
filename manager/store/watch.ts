// The watch queue: every applied transaction publishes its change events and then a commit
// event to every subscriber whose filter matches. Each subscriber has a bounded buffer: one
// that falls more than `bufferSize` events behind is closed with WatchOverflowError and its
// buffer dropped, so a stuck consumer never makes the manager's memory grow. A closed
// consumer re-reads the state and watches again (`MemoryStore.viewAndWatch`).

import { WatchOverflowError } from './errors.js';
import type { ChangeAction, ChangeEvent, CommitEvent, StoreEvent } from './events.js';
import type { TableName } from '../../api/objects/index.js';

/**
 * Events a watcher may hold (about 60 bytes each: the event and its slot; the objects are the
 * store's own). A leader loop that overflows re-reads the whole store, which at 100,000 tasks
 * costs more than the lag that caused it: 10,000 was overrun by 500 nodes' status reports in
 * one allocator pass, and the re-reads fed the lag.
 */
export const DEFAULT_WATCH_BUFFER = 100_000;

export interface WatchOptions {
  /** Only changes to these tables (default: all). */
  readonly tables?: readonly TableName[];
  /** Only these actions (default: all). */
  readonly actions?: readonly ChangeAction[];
  /** Only changes this predicate accepts (applied after tables and actions). */
  readonly predicate?: (event: ChangeEvent) => boolean;
  /**
   * Deliver commit events (default true). A filtered watcher gets the commit event of each
   * transaction that delivered it at least one change; an unfiltered one gets every commit.
   */
  readonly commits?: boolean;
  /** Most events held for this watcher before it is closed with WatchOverflowError. */
  readonly bufferSize?: number;
  /** Closes the watcher when aborted. */
  readonly signal?: AbortSignal;
}

type Waiter = {
  resolve: (result: IteratorResult<StoreEvent, undefined>) => void;
  reject: (error: unknown) => void;
};

/** One subscription: an async iterator of events (use with `for await`). */
export class Watcher implements AsyncIterableIterator<StoreEvent, undefined> {
  readonly bufferSize: number;
  readonly #options: WatchOptions;
  readonly #filtered: boolean;
  readonly #onClose: (w: Watcher) => void;
  #buffer: StoreEvent[] = [];
  #head = 0;
  #waiter: Waiter | undefined;
  #closed = false;
  #error: Error | undefined;
  readonly #onAbort = (): void => this.close();

  constructor(options: WatchOptions, defaultBufferSize: number, onClose: (w: Watcher) => void) {
    const size = options.bufferSize ?? defaultBufferSize;
    if (!Number.isSafeInteger(size) || size < 1) throw new RangeError('bufferSize must be an integer >= 1');
    this.bufferSize = size;
    this.#options = options;
    this.#filtered =
      options.tables !== undefined || options.actions !== undefined || options.predicate !== undefined;
    this.#onClose = onClose;
    if (options.signal?.aborted === true) this.close();
    else options.signal?.addEventListener('abort', this.#onAbort, { once: true });
  }

  /** Closed by the consumer, by its signal, or by overflow. */
  get closed(): boolean {
    return this.#closed;
  }

  /** Why the watcher was closed: WatchOverflowError, or what its predicate threw. */
  get error(): Error | undefined {
    return this.#error;
  }

  /** Events waiting to be read. */
  get buffered(): number {
    return this.#buffer.length - this.#head;
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  next(): Promise<IteratorResult<StoreEvent, undefined>> {
    const event = this.#shift();
    if (event !== undefined) return Promise.resolve({ value: event, done: false });
    if (this.#error !== undefined) return Promise.reject(this.#error);
    if (this.#closed) return Promise.resolve({ value: undefined, done: true });
    if (this.#waiter !== undefined) {
      return Promise.reject(new RangeError('Watcher.next() called while another call is pending'));
    }
    return new Promise((resolve, reject) => {
      this.#waiter = { resolve, reject };
    });
  }

  return(): Promise<IteratorResult<StoreEvent, undefined>> {
    this.close();
    return Promise.resolve({ value: undefined, done: true });
  }

  /** Takes every buffered event at once (for loops that work in batches); throws after overflow. */
  drain(): StoreEvent[] {
    if (this.#error !== undefined) throw this.#error;
    const events = this.#buffer.slice(this.#head);
    this.#buffer = [];
    this.#head = 0;
    return events;
  }

  /** Stops the subscription; a pending or later `next()` reports the end of iteration. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#buffer = [];
    this.#head = 0;
    this.#options.signal?.removeEventListener('abort', this.#onAbort);
    this.#onClose(this);
    const waiter = this.#waiter;
    this.#waiter = undefined;
    if (waiter === undefined) return;
    if (this.#error !== undefined) waiter.reject(this.#error);
    else waiter.resolve({ value: undefined, done: true });
  }

  /** Called by the queue with one transaction's changes. */
  deliver(changes: readonly ChangeEvent[], commit: CommitEvent): void {
    if (this.#closed) return;
    let matched = 0;
    for (const change of changes) {
      let wanted: boolean;
      try {
        wanted = this.#matches(change);
      } catch (e: unknown) {
        this.#fail(e instanceof Error ? e : new Error(String(e)));
        return;
      }
      if (!wanted) continue;
      if (!this.#push(change)) return;
      matched++;
    }
    if (this.#options.commits !== false && (matched > 0 || !this.#filtered)) this.#push(commit);
  }

  #matches(change: ChangeEvent): boolean {
    const { tables, actions, predicate } = this.#options;
    if (tables !== undefined && !tables.includes(change.table)) return false;
    if (actions !== undefined && !actions.includes(change.action)) return false;
    return predicate === undefined || predicate(change);
  }

  /** Closes the watcher with an error its consumer will see (publishing must never throw). */
  #fail(error: Error): void {
    this.#error = error;
    this.close();
  }

  #push(event: StoreEvent): boolean {
    const waiter = this.#waiter;
    if (waiter !== undefined) {
      this.#waiter = undefined;
      waiter.resolve({ value: event, done: false });
      return true;
    }
    if (this.buffered >= this.bufferSize) {
      this.#fail(new WatchOverflowError(this.bufferSize));
      return false;
    }
    this.#buffer.push(event);
    return true;
  }

  #shift(): StoreEvent | undefined {
    if (this.#head >= this.#buffer.length) return undefined;
    const event = this.#buffer[this.#head++];
    if (this.#head === this.#buffer.length) {
      this.#buffer = [];
      this.#head = 0;
    } else if (this.#head >= 1024 && this.#head * 2 >= this.#buffer.length) {
      this.#buffer = this.#buffer.slice(this.#head);
      this.#head = 0;
    }
    return event;
  }
}

export class WatchQueue {
  readonly #watchers = new Set<Watcher>();
  readonly #defaultBufferSize: number;

  constructor(defaultBufferSize = DEFAULT_WATCH_BUFFER) {
    this.#defaultBufferSize = defaultBufferSize;
  }

  /** Number of open watchers. */
  get size(): number {
    return this.#watchers.size;
  }

  subscribe(options: WatchOptions = {}): Watcher {
    const watcher = new Watcher(options, this.#defaultBufferSize, (w) => this.#watchers.delete(w));
    if (!watcher.closed) this.#watchers.add(watcher);
    return watcher;
  }

  /** Publishes one transaction's changes followed by its commit event. */
  publish(changes: readonly ChangeEvent[], index: number): void {
    const commit: CommitEvent = { action: 'commit', index };
    for (const watcher of [...this.#watchers]) watcher.deliver(changes, commit);
  }
}
