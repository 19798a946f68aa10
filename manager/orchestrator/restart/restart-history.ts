// When each slot was restarted, per spec: what maxAttempts and window count against. Kept in
// the leader's memory (as Swarm does); a new leader starts counting afresh. A slot is a replica
// number for replicated services and jobs, a node for global ones.

import type { Task } from '../../../api/objects/index.js';
import { specKey } from '../../task/spec-key.js';

/** Most restart times remembered per slot (older ones cannot matter to any sane maxAttempts). */
const KEEP = 256;

export function slotKey(task: Task): string {
  return task.slot > 0 || task.nodeId === undefined
    ? `${task.serviceId}/${task.slot}`
    : `${task.serviceId}@${task.nodeId}`;
}

interface Entry {
  spec: string;
  times: number[];
}

export class RestartHistory {
  readonly #bySlot = new Map<string, Entry>();
  readonly #byService = new Map<string, Set<string>>();

  /** Restart times of the task's slot under the task's spec (a new spec starts a new count). */
  times(task: Task): readonly number[] {
    const entry = this.#bySlot.get(slotKey(task));
    return entry === undefined || entry.spec !== specKey(task.spec) ? [] : entry.times;
  }

  record(task: Task, at: number): void {
    const key = slotKey(task);
    const spec = specKey(task.spec);
    let entry = this.#bySlot.get(key);
    if (entry === undefined || entry.spec !== spec) {
      entry = { spec, times: [] };
      this.#bySlot.set(key, entry);
      let keys = this.#byService.get(task.serviceId);
      if (keys === undefined) this.#byService.set(task.serviceId, (keys = new Set()));
      keys.add(key);
    }
    entry.times.push(at);
    if (entry.times.length > KEEP) entry.times.splice(0, entry.times.length - KEEP);
  }

  forgetService(serviceId: string): void {
    for (const key of this.#byService.get(serviceId) ?? []) this.#bySlot.delete(key);
    this.#byService.delete(serviceId);
  }
}
