// Group commit for the dispatcher's writes: callers submit items (task status reports, node
// status changes) and wait; one store transaction at a time applies everything submitted
// while the previous one was in flight. A transaction refused because another writer changed
// the same object meanwhile (ConflictError) is rebuilt from the fresh state and retried.

import type { Logger } from 'pino';
import { ConflictError, type MemoryStore, type WriteTx } from '../store/index.js';

export interface BatchWriterOptions<I, R> {
  readonly store: MemoryStore;
  /** Applies a batch inside one transaction; returns one result per item, in order. */
  readonly apply: (tx: WriteTx, items: readonly I[]) => R[];
  readonly logger: Logger;
  /** Most items in one transaction (a submission is never split). */
  readonly maxBatch?: number;
  /** Attempts of one batch refused with ConflictError. */
  readonly conflictRetries?: number;
}

interface Submission<I, R> {
  readonly items: readonly I[];
  readonly resolve: (results: R[]) => void;
  readonly reject: (e: unknown) => void;
}

export class BatchWriter<I, R> {
  readonly #o: BatchWriterOptions<I, R>;
  readonly #maxBatch: number;
  #queue: Submission<I, R>[] = [];
  #flushing = false;
  #closed: Error | undefined;
  /** Transactions proposed so far (for tests and benchmarks). */
  transactions = 0;

  constructor(o: BatchWriterOptions<I, R>) {
    this.#o = o;
    this.#maxBatch = o.maxBatch ?? 1000;
  }

  /** Queues items; resolves with their results once the transaction holding them is applied. */
  submit(items: readonly I[]): Promise<R[]> {
    if (this.#closed !== undefined) return Promise.reject(this.#closed);
    if (items.length === 0) return Promise.resolve([]);
    return new Promise<R[]>((resolve, reject) => {
      this.#queue.push({ items, resolve, reject });
      if (!this.#flushing) void this.#flush();
    });
  }

  /** Fails everything queued with `error`, and every later submission. */
  close(error: Error): void {
    this.#closed ??= error;
    const queue = this.#queue;
    this.#queue = [];
    for (const s of queue) s.reject(error);
  }

  async #flush(): Promise<void> {
    this.#flushing = true;
    try {
      while (this.#queue.length > 0) {
        const batch = this.#take();
        const items = batch.flatMap((s) => s.items);
        try {
          const results = await this.#commit(items);
          let at = 0;
          for (const s of batch) {
            s.resolve(results.slice(at, at + s.items.length));
            at += s.items.length;
          }
        } catch (e: unknown) {
          for (const s of batch) s.reject(e);
        }
      }
    } finally {
      this.#flushing = false;
    }
  }

  #take(): Submission<I, R>[] {
    const batch: Submission<I, R>[] = [];
    let n = 0;
    while (this.#queue.length > 0) {
      const next = this.#queue[0];
      if (next === undefined || (n > 0 && n + next.items.length > this.#maxBatch)) break;
      this.#queue.shift();
      batch.push(next);
      n += next.items.length;
    }
    return batch;
  }

  async #commit(items: readonly I[]): Promise<R[]> {
    const attempts = this.#o.conflictRetries ?? 5;
    for (let attempt = 1; ; attempt++) {
      try {
        this.transactions++;
        return await this.#o.store.update((tx) => this.#o.apply(tx, items));
      } catch (e: unknown) {
        if (!(e instanceof ConflictError) || attempt >= attempts) throw e;
        this.#o.logger.debug({ attempt, err: e.message }, 'dispatcher batch conflicted; retrying');
      }
    }
  }
}
