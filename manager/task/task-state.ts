// Questions about a task's lifecycle that every orchestrator asks, phrased once.
//
// Desired states the orchestrators use: 'ready' (created, start held back by a restart delay or
// a stop-first update), 'running' (services), 'complete' (jobs: run to completion), 'shutdown'
// (stop it, keep it in history) and 'remove' (stop it, then delete it).

import { taskStateRank, type Task, type TaskState } from '../../api/objects/index.js';

const RUNNING = taskStateRank('running');

/** The task should be (or become) running: desired 'ready', 'running' or, for jobs, 'complete'. */
export function wantsToRun(task: Task): boolean {
  return taskStateRank(task.desiredState) <= RUNNING || task.desiredState === 'complete';
}

/** The agent has reported the task as finished one way or another (past 'running'). */
export function hasStopped(task: Task): boolean {
  return taskStateRank(task.status.state) > RUNNING;
}

/** The task wants to run and has not stopped: it is, or will be, doing work. */
export function isLive(task: Task): boolean {
  return wantsToRun(task) && !hasStopped(task);
}

/** Failed, rejected or orphaned: ended without success. */
export function endedInFailure(task: Task): boolean {
  const s = task.status.state;
  return s === 'failed' || s === 'rejected' || s === 'orphaned' || (s === 'shutdown' && wantsToRun(task));
}

/** The agent reported at least `state` (by lifecycle order). */
export function reached(task: Task, state: TaskState): boolean {
  return taskStateRank(task.status.state) >= taskStateRank(state);
}

/** Orders tasks oldest first by creation time, then ID (a stable order for history decisions). */
export function byAge(a: Task, b: Task): number {
  if (a.meta.createdAt !== b.meta.createdAt) return a.meta.createdAt < b.meta.createdAt ? -1 : 1;
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

/** The most recently created task of a non-empty list. */
export function newest(tasks: readonly Task[]): Task | undefined {
  let best: Task | undefined;
  for (const t of tasks) if (best === undefined || byAge(best, t) < 0) best = t;
  return best;
}
