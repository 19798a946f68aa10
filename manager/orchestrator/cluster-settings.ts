// Cluster-wide settings the orchestrators read, with Docker's defaults when no cluster object
// exists yet.

import type { ReadTx } from '../store/read-tx.js';

/** Docker's default `--task-history-limit`. */
export const DEFAULT_TASK_HISTORY_LIMIT = 5;

/** Finished tasks kept per slot (per node for global services); negative keeps all. */
export function taskHistoryLimit(tx: ReadTx): number {
  const cluster = tx.list('clusters')[0];
  return cluster?.spec.orchestration.taskHistoryRetentionLimit ?? DEFAULT_TASK_HISTORY_LIMIT;
}
