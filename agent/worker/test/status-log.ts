// Records what a worker reports, lets a test wait for a task to reach a state (no sleeping: it
// wakes on each batch), and checks that no task's reports ever go backwards.

import assert from 'node:assert/strict';
import { taskStateRank, type TaskState, type TaskStatus } from '../../../api/objects/index.js';
import type { TaskStatusReport } from '../../../api/wire/assignments.js';
import { ChangeSignal } from '../../exec/change-signal.js';
import type { Worker } from '../worker.js';

export class StatusLog {
  readonly batches: TaskStatusReport[][] = [];
  private readonly changed = new ChangeSignal();

  attach(worker: Worker): () => void {
    return worker.onStatus((batch) => {
      this.batches.push(batch);
      this.changed.notify();
    });
  }

  of(taskId: string): TaskStatus[] {
    return this.batches
      .flat()
      .filter((r) => r.taskId === taskId)
      .map((r) => r.status);
  }

  states(taskId: string): TaskState[] {
    return this.of(taskId).map((s) => s.state);
  }

  /** Resolves with the first report of `state` for the task (waiting for it if need be). */
  async until(taskId: string, state: TaskState): Promise<TaskStatus> {
    for (;;) {
      const found = this.of(taskId).find((s) => s.state === state);
      if (found !== undefined) return found;
      await this.changed.next();
    }
  }

  /** Every task's reports move forward: a later state, or the same one with a new message. */
  assertMonotonic(): void {
    const last = new Map<string, TaskStatus>();
    for (const r of this.batches.flat()) {
      const prev = last.get(r.taskId);
      if (prev !== undefined) {
        const from = taskStateRank(prev.state);
        const to = taskStateRank(r.status.state);
        assert.ok(to >= from, `task ${r.taskId} went back from ${prev.state} to ${r.status.state}`);
        assert.ok(
          from < taskStateRank('complete'),
          `task ${r.taskId} reported ${r.status.state} after ${prev.state}`,
        );
        assert.ok(r.status.timestamp >= prev.timestamp, `task ${r.taskId}: timestamps went back`);
      }
      last.set(r.taskId, r.status);
    }
  }
}
