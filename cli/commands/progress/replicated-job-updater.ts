// Progress of a replicated job: "job progress: N out of M complete", "active tasks: A out of
// C tasks", and one line per slot (up to 20) for the job's current iteration.
import type { DockerService, DockerTask } from '../../client/types.js';
import type { ProgressOutput } from '../../format/progress-renderer.js';
import { MAX_JOB_PROGRESS, MAX_PROGRESS_BARS, padState, stateNumber, truncError } from './task-states.js';
import type { ProgressUpdater } from './updater.js';

export class ReplicatedJobProgressUpdater implements ProgressUpdater {
  private initialized = false;
  private readonly concurrent: number;
  private readonly total: number;
  private readonly iteration: number;
  private readonly progressDigits: number;
  private readonly activeDigits: number;

  constructor(
    service: DockerService,
    private readonly out: ProgressOutput,
  ) {
    const job = service.Spec.Mode?.ReplicatedJob ?? {};
    this.total = job.TotalCompletions ?? 1;
    this.concurrent = job.MaxConcurrent ?? this.total;
    this.iteration = service.JobStatus?.JobIteration.Index ?? 0;
    this.progressDigits = String(this.total).length;
    this.activeDigits = String(this.concurrent).length;
  }

  update(_service: DockerService, tasks: readonly DockerTask[]): boolean {
    if (!this.initialized) {
      this.writeOverall(0, 0);
      if (this.total <= MAX_PROGRESS_BARS) {
        for (let i = 1; i <= this.total; i++) this.out.write({ id: `${i}/${this.total}`, action: ' ' });
      }
      this.initialized = true;
    }
    const bySlot = new Map<number, DockerTask>();
    for (const task of tasks) {
      if (task.JobIteration?.Index !== this.iteration) continue;
      if (stateNumber(task.DesiredState) === 0 || stateNumber(task.Status.State) === 0) continue;
      const slot = task.Slot ?? 0;
      const existing = bySlot.get(slot);
      if (existing === undefined || stateNumber(existing.Status.State) > stateNumber(task.Status.State)) {
        bySlot.set(slot, task);
      }
    }
    let active = 0;
    let complete = 0;
    for (const slot of [...bySlot.keys()].sort((a, b) => a - b)) {
      const task = bySlot.get(slot);
      if (task === undefined) continue;
      this.writeTask(task);
      if (stateNumber(task.Status.State) < stateNumber('complete')) active++;
      if (task.Status.State === 'complete') complete++;
    }
    this.writeOverall(active, complete);
    return complete === this.total;
  }

  private writeOverall(active: number, completed: number): void {
    this.out.write({
      id: 'job progress',
      action: `${String(completed).padStart(this.progressDigits)} out of ${this.total} complete`,
      current: completed,
      total: this.total,
      hideCounts: true,
    });
    const actualDesired = Math.min(this.total - completed, this.concurrent);
    const pad = (n: number): string => String(n).padStart(this.activeDigits);
    this.out.write({ id: 'active tasks', action: `${pad(active)} out of ${pad(actualDesired)} tasks` });
  }

  private writeTask(task: DockerTask): void {
    if (this.total > MAX_PROGRESS_BARS) return;
    const id = `${(task.Slot ?? 0) + 1}/${this.total}`;
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
}
