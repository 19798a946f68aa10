// Task states in the order the docker CLI's service progress ranks them.
import type { DockerTaskState } from '../../client/types.js';

const NUMBERED: Readonly<Partial<Record<DockerTaskState, number>>> = {
  new: 1,
  allocated: 2,
  pending: 3,
  assigned: 4,
  accepted: 5,
  preparing: 6,
  ready: 7,
  starting: 8,
  running: 9,
  complete: 10,
  shutdown: 11,
  failed: 12,
  rejected: 13,
};

export const MAX_PROGRESS = 9;
export const MAX_PROGRESS_BARS = 20;
export const MAX_JOB_PROGRESS = 10;

/** 0 for states the progress display does not know (remove, orphaned). */
export function stateNumber(state: DockerTaskState): number {
  return NUMBERED[state] ?? 0;
}

export function isTerminal(state: DockerTaskState): boolean {
  return stateNumber(state) > stateNumber('running');
}

/** Width of the longest state shown: non-terminal states plus "complete". */
export const LONGEST_STATE = Object.entries(NUMBERED)
  .filter(([s, n]) => (n ?? 0) <= 9 || s === 'complete')
  .reduce((m, [s]) => Math.max(m, s.length), 0);

export function padState(state: string): string {
  return state.padEnd(LONGEST_STATE, ' ');
}

/** One line, at most 75 characters (the last an ellipsis). */
export function truncError(message: string): string {
  const oneLine = message.replace(/\n/g, ' ');
  return oneLine.length > 75 ? `${oneLine.slice(0, 74)}…` : oneLine;
}
