// Progress of a replicated service: one line per slot (up to 20), "N out of M tasks" overall.
import type { DockerService, DockerTask } from '../../client/types.js';
import type { ProgressOutput } from '../../format/progress-renderer.js';
import {
  MAX_PROGRESS,
  MAX_PROGRESS_BARS,
  isTerminal,
  padState,
  stateNumber,
  truncError,
} from './task-states.js';
import { writeOverallProgress, type ProgressUpdater } from './updater.js';

export class ReplicatedProgressUpdater implements ProgressUpdater {
  private initialized = false;
  private done = false;
  private readonly slotMap = new Map<number, number>();

  constructor(private readonly out: ProgressOutput) {}

  update(
    service: DockerService,
    tasks: readonly DockerTask[],
    activeNodes: ReadonlySet<string>,
    rollback: boolean,
  ): boolean {
    const replicas = service.Spec.Mode?.Replicated?.Replicas;
    if (replicas === undefined) throw new Error('no replica count');
    if (!this.initialized) {
      writeOverallProgress(this.out, 0, replicas, rollback);
      if (replicas <= MAX_PROGRESS_BARS) {
        for (let i = 1; i <= replicas; i++) this.out.write({ id: `${i}/${replicas}`, action: ' ' });
      }
      this.initialized = true;
    }
    const bySlot = tasksBySlot(tasks, activeNodes);
    if (this.done) {
      for (const t of bySlot.values()) {
        if (t.Status.State !== 'running') {
          this.done = false;
          break;
        }
      }
    }
    let running = 0;
    for (const [slot, task] of bySlot) {
      let mapped = this.slotMap.get(slot);
      if (mapped === undefined) {
        mapped = this.slotMap.size + 1;
        this.slotMap.set(slot, mapped);
      }
      if (!isTerminal(task.DesiredState) && task.Status.State === 'running') running++;
      this.writeTask(task, mapped, replicas);
    }
    if (!this.done) {
      writeOverallProgress(this.out, running, replicas, rollback);
      if (running === replicas) this.done = true;
    }
    return running === replicas;
  }

  private writeTask(task: DockerTask, mapped: number, replicas: number): void {
    if (this.done || replicas > MAX_PROGRESS_BARS || mapped < 0 || mapped > replicas) return;
    const id = `${mapped}/${replicas}`;
    if ((task.Status.Err ?? '') !== '') {
      this.out.write({ id, action: truncError(task.Status.Err ?? '') });
      return;
    }
    if (!isTerminal(task.DesiredState) && !isTerminal(task.Status.State)) {
      this.out.write({
        id,
        action: padState(task.Status.State),
        current: stateNumber(task.Status.State),
        total: MAX_PROGRESS,
        hideCounts: true,
      });
    }
  }
}

/**
 * One task per slot: the one with the lowest desired state, ties broken by the lowest
 * observed state; tasks on nodes that are down are ignored. Slots in order of first sight.
 */
export function tasksBySlot(
  tasks: readonly DockerTask[],
  activeNodes: ReadonlySet<string>,
): Map<number, DockerTask> {
  const bySlot = new Map<number, DockerTask>();
  for (const task of tasks) {
    if (stateNumber(task.DesiredState) === 0 || stateNumber(task.Status.State) === 0) continue;
    const slot = task.Slot ?? 0;
    const existing = bySlot.get(slot);
    if (existing !== undefined) {
      if (stateNumber(existing.DesiredState) < stateNumber(task.DesiredState)) continue;
      if (
        stateNumber(existing.DesiredState) === stateNumber(task.DesiredState) &&
        stateNumber(existing.Status.State) <= stateNumber(task.Status.State)
      ) {
        continue;
      }
    }
    if ((task.NodeID ?? '') !== '' && !activeNodes.has(task.NodeID ?? '')) continue;
    bySlot.set(slot, task);
  }
  return bySlot;
}
