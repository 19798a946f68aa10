// The seam between the service progress loop and the per-mode displays.
import type { DockerService, DockerTask } from '../../client/types.js';
import type { ProgressOutput } from '../../format/progress-renderer.js';

export interface ProgressUpdater {
  /** Writes progress for one poll; true when the service has converged. */
  update(
    service: DockerService,
    tasks: readonly DockerTask[],
    activeNodes: ReadonlySet<string>,
    rollback: boolean,
  ): boolean;
}

export function writeOverallProgress(
  out: ProgressOutput,
  numerator: number,
  denominator: number,
  rollback: boolean,
): void {
  out.write({
    id: 'overall progress',
    action: rollback
      ? `rolling back update: ${numerator} out of ${denominator} tasks`
      : `${numerator} out of ${denominator} tasks`,
  });
}
