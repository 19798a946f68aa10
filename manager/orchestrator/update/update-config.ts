// The rolling update's parameters and arithmetic, pure: Docker's defaults, which config applies
// (rollbackConfig while rolling back), batches of `parallelism` slots, and when failures exceed
// `maxFailureRatio`.

import type { Service, Task, UpdateConfig } from '../../../api/objects/index.js';
import { MAX_TASK_CHANGES_PER_SERVICE } from '../pass-limits.js';
import { hasStopped, wantsToRun } from '../../task/task-state.js';

/** Docker's defaults for `--update-*` (monitor 5 s, pause on failure, stop-first, one at a time). */
export const DEFAULT_UPDATE_CONFIG: UpdateConfig = {
  parallelism: 1,
  delay: 0,
  failureAction: 'pause',
  monitor: 5000,
  maxFailureRatio: 0,
  order: 'stop-first',
};

/** Docker's defaults for `--rollback-*`. */
export const DEFAULT_ROLLBACK_CONFIG: UpdateConfig = { ...DEFAULT_UPDATE_CONFIG };

export function isRollingBack(service: Service): boolean {
  return service.updateStatus?.state === 'rollback_started';
}

/** The config that drives the current update of `service`. */
export function updateConfigFor(service: Service): UpdateConfig {
  return isRollingBack(service)
    ? (service.spec.rollbackConfig ?? DEFAULT_ROLLBACK_CONFIG)
    : (service.spec.updateConfig ?? DEFAULT_UPDATE_CONFIG);
}

/**
 * Splits the slots to update into batches of `parallelism` (0: everything in one batch), never
 * more than `maxBatch` slots (one batch is one transaction, which must stay bounded).
 */
export function planBatches<T>(
  items: readonly T[],
  parallelism: number,
  maxBatch = MAX_TASK_CHANGES_PER_SERVICE,
): T[][] {
  const wanted = parallelism > 0 ? parallelism : Math.max(1, items.length);
  const size = Math.max(1, Math.min(wanted, maxBatch));
  const batches: T[][] = [];
  for (let i = 0; i < items.length; i += size) batches.push(items.slice(i, i + size));
  return batches;
}

/** True when `failures` of `total` updated tasks is more than the tolerated ratio. */
export function failureExceeded(failures: number, total: number, maxFailureRatio: number): boolean {
  return total > 0 && failures / total > maxFailureRatio;
}

/** A task the update made that stopped while it should still run (failed, or exited early). */
export function isUpdateFailure(task: Task): boolean {
  return hasStopped(task) && wantsToRun(task);
}

/** Counts only failures of tasks that never reached running, or did so within the monitor period. */
export function countsAsFailure(startedAt: number | undefined, now: number, monitor: number): boolean {
  return startedAt === undefined || now - startedAt <= monitor;
}
