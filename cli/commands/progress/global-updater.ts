// Progress of a global service: one line per node (up to 20), "N out of M tasks" overall,
// where M is the number of nodes that have an up-to-date task.
import type { DockerService, DockerTask } from '../../client/types.js';
import type { ProgressOutput } from '../../format/progress-renderer.js';
import { truncateId } from '../../format/pretty-print.js';
import {
  MAX_PROGRESS,
  MAX_PROGRESS_BARS,
  isTerminal,
  padState,
  stateNumber,
  truncError,
} from './task-states.js';
import { writeOverallProgress, type ProgressUpdater } from './updater.js';

export class GlobalProgressUpdater implements ProgressUpdater {
  private initialized = false;
  private done = false;

  constructor(private readonly out: ProgressOutput) {}

  update(
    _service: DockerService,
    tasks: readonly DockerTask[],
    activeNodes: ReadonlySet<string>,
    rollback: boolean,
  ): boolean {
    const byNode = tasksByNode(tasks);
    const nodeCount = byNode.size;
    if (!this.initialized) {
      if (nodeCount === 0) {
        this.out.write({ id: 'overall progress', action: 'waiting for new tasks' });
        return false;
      }
      writeOverallProgress(this.out, 0, nodeCount, rollback);
      this.initialized = true;
    }
    if (this.done) {
      for (const t of byNode.values()) {
        if (t.Status.State !== 'running') {
          this.done = false;
          break;
        }
      }
    }
    let running = 0;
    for (const task of byNode.values()) {
      if (!activeNodes.has(task.NodeID ?? '')) continue;
      if (!isTerminal(task.DesiredState) && task.Status.State === 'running') running++;
      this.writeTask(task, nodeCount);
    }
    if (!this.done) {
      writeOverallProgress(this.out, running, nodeCount, rollback);
      if (running === nodeCount) this.done = true;
    }
    return running === nodeCount;
  }

  private writeTask(task: DockerTask, nodeCount: number): void {
    if (this.done || nodeCount > MAX_PROGRESS_BARS) return;
    const id = truncateId(task.NodeID ?? '');
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

export function tasksByNode(tasks: readonly DockerTask[]): Map<string, DockerTask> {
  const byNode = new Map<string, DockerTask>();
  for (const task of tasks) {
    if (stateNumber(task.DesiredState) === 0 || stateNumber(task.Status.State) === 0) continue;
    const node = task.NodeID ?? '';
    const existing = byNode.get(node);
    if (existing !== undefined) {
      if (stateNumber(existing.DesiredState) < stateNumber(task.DesiredState)) continue;
      if (
        stateNumber(existing.DesiredState) === stateNumber(task.DesiredState) &&
        stateNumber(existing.Status.State) <= stateNumber(task.Status.State)
      ) {
        continue;
      }
    }
    byNode.set(node, task);
  }
  return byNode;
}
