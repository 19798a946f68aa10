// Collects the status changes of one tick and hands them on as one batch: first persisted (so a
// restarted agent never reports a state older than one it sent), then given to the listeners
// (the session forwards them to the dispatcher). Batches go out one at a time, in order.

import type { Logger } from 'pino';
import type { TaskStatusReport } from '../../api/wire/assignments.js';

export type StatusListener = (reports: TaskStatusReport[]) => void;

export class StatusBatcher {
  private pending: TaskStatusReport[] = [];
  private scheduled = false;
  private chain: Promise<void> = Promise.resolve();
  private readonly listeners = new Set<StatusListener>();

  constructor(
    private readonly persist: (reports: readonly TaskStatusReport[]) => Promise<void>,
    private readonly schedule: (flush: () => void) => void,
    private readonly logger: Logger,
  ) {}

  push(report: TaskStatusReport): void {
    this.pending.push(report);
    if (this.scheduled) return;
    this.scheduled = true;
    this.schedule(() => {
      this.scheduled = false;
      void this.flush();
    });
  }

  onStatus(listener: StatusListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Sends what is pending now; resolves once every batch so far has gone out. */
  flush(): Promise<void> {
    const batch = this.pending;
    this.pending = [];
    if (batch.length > 0) {
      this.chain = this.chain.then(async () => {
        try {
          await this.persist(batch);
        } catch (e: unknown) {
          this.logger.error({ err: e }, 'cannot persist task statuses; reporting them anyway');
        }
        for (const listener of this.listeners) {
          try {
            listener(batch);
          } catch (e: unknown) {
            this.logger.error({ err: e }, 'a task status listener threw');
          }
        }
      });
    }
    return this.chain;
  }
}
