// Task status reports waiting to reach the managers. Only the latest report of each task is
// kept (the dispatcher applies forward moves only, so skipping an intermediate state loses
// nothing a user would see for long); a report leaves the queue only when a manager accepted
// it, and stays if a newer one for the same task arrived while it was in flight.

import type { TaskStatusReport } from '../../api/wire/assignments.js';

export class StatusQueue {
  #pending = new Map<string, TaskStatusReport>();

  get size(): number {
    return this.#pending.size;
  }

  add(reports: readonly TaskStatusReport[]): void {
    for (const r of reports) {
      this.#pending.delete(r.taskId); // re-insert: the oldest waiting report goes first
      this.#pending.set(r.taskId, r);
    }
  }

  /** Up to `max` reports to send, oldest first; they stay queued until `ack`. */
  peek(max: number): TaskStatusReport[] {
    const out: TaskStatusReport[] = [];
    for (const r of this.#pending.values()) {
      if (out.length >= max) break;
      out.push(r);
    }
    return out;
  }

  /** The managers accepted `sent`: drop each unless a newer report replaced it meanwhile. */
  ack(sent: readonly TaskStatusReport[]): void {
    for (const r of sent) if (this.#pending.get(r.taskId) === r) this.#pending.delete(r.taskId);
  }
}
