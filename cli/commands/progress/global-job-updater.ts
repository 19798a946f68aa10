// Progress of a global job: "job progress: N out of M complete" over the nodes that had a
// task when the job started, and one line per node (up to 20).
import type { DockerService, DockerTask } from '../../client/types.js';
import type { ProgressOutput } from '../../format/progress-renderer.js';
import { MAX_JOB_PROGRESS, MAX_PROGRESS_BARS, padState, stateNumber, truncError } from './task-states.js';
import type { ProgressUpdater } from './updater.js';

export class GlobalJobProgressUpdater implements ProgressUpdater {
  private initialized = false;
  private total = 0;
  private progressDigits = 1;
  private taskNodes = new Set<string>();

  constructor(private readonly out: ProgressOutput) {}

  update(service: DockerService, tasks: readonly DockerTask[], activeNodes: ReadonlySet<string>): boolean {
    const iteration = service.JobStatus?.JobIteration.Index ?? 0;
    if (!this.initialized) {
      if (tasks.length === 0 && activeNodes.size !== 0) {
        this.out.write({ id: 'job progress', action: 'waiting for tasks' });
        return false;
      }
      this.taskNodes = new Set(
        tasks.filter((t) => t.JobIteration?.Index === iteration).map((t) => t.NodeID ?? ''),
      );
      this.total = this.taskNodes.size;
      this.progressDigits = String(this.total).length;
      this.writeOverall(0);
      this.initialized = true;
    }
    const byNode = new Map<string, DockerTask>();
    for (const task of tasks) {
      if (task.JobIteration?.Index !== iteration) continue;
      const node = task.NodeID ?? '';
      if (!this.taskNodes.has(node)) continue;
      const existing = byNode.get(node);
      if (existing === undefined || stateNumber(existing.Status.State) > stateNumber(task.Status.State)) {
        byNode.set(node, task);
      }
    }
    let complete = 0;
    for (const task of byNode.values()) {
      this.writeTask(task);
      if (task.Status.State === 'complete') complete++;
    }
    this.writeOverall(complete);
    return complete === this.total;
  }

  private writeTask(task: DockerTask): void {
    if (this.total > MAX_PROGRESS_BARS) return;
    const id = task.NodeID ?? '';
    if ((task.Status.Err ?? '') !== '') {
      this.out.write({ id, action: truncError(task.Status.Err ?? '') });
      return;
    }
    this.out.write({
      id,
      action: padState(task.Status.State),
      current: stateNumber(task.Status.State),
      total: MAX_JOB_PROGRESS,
      hideCounts: true,
    });
  }

  private writeOverall(complete: number): void {
    this.out.write({
      id: 'job progress',
      action: `${String(complete).padStart(this.progressDigits)} out of ${this.total} complete`,
      current: complete,
      total: this.total,
      hideCounts: true,
    });
  }
}
