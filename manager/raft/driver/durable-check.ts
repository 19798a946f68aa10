// Comparing a loaded raft log with its durable watermark: does the log still hold everything
// this member acknowledged as persisted? Pure functions, so every case is tested directly.

import type { DurableMark } from './durable-watermark.js';
import type { LoadedLog } from './level-load.js';

/** The term of entry `index` in `log`: the compaction point's, a stored entry's, or undefined. */
export function termAt(log: LoadedLog, index: number): number | undefined {
  const start = log.logStart.index;
  if (index === start) return log.logStart.term;
  if (index < start) return undefined;
  return log.entries[index - start - 1]?.term;
}

export function lastIndexOf(log: LoadedLog): number {
  return log.logStart.index + log.entries.length;
}

/** The state mark describing `log` as it is. */
export function markOf(log: LoadedLog): DurableMark {
  const last = lastIndexOf(log);
  return {
    kind: 'state',
    index: last,
    term: termAt(log, last) ?? 0,
    hardState: log.hardState,
    snapshotIndex: log.snapshot.metadata.index,
  };
}

/**
 * What acknowledged state `log` no longer holds according to `mark`, or undefined when it holds
 * all of it. The log may be ahead of the mark (a write that reached LevelDB but not the
 * watermark was never acknowledged, and keeping it is what a crash just after it would do).
 */
export function missingFromLog(log: LoadedLog, mark: DurableMark): string | undefined {
  const last = lastIndexOf(log);
  const what = mark.kind === 'state' ? 'acknowledged' : 'kept through a rewrite';
  const snapIndex = log.snapshot.metadata.index;
  if (last < mark.index) {
    return `the log ends at index ${last} but entries up to ${mark.index} were ${what}`;
  }
  if (mark.index >= log.logStart.index) {
    const term = termAt(log, mark.index);
    if (term !== mark.term) {
      return `entry ${mark.index} has term ${term ?? 'none'} but term ${mark.term} was ${what}`;
    }
  } else if (snapIndex < mark.index) {
    return `entry ${mark.index} was compacted but no snapshot covers it (snapshot at ${snapIndex})`;
  }
  if (snapIndex < mark.snapshotIndex) {
    return `the snapshot is at index ${snapIndex} but one at ${mark.snapshotIndex} was acknowledged`;
  }
  const hs = log.hardState;
  const want = mark.hardState;
  if (hs.term < want.term) {
    return `the hard state is at term ${hs.term} but term ${want.term} was acknowledged`;
  }
  if (hs.term === want.term && want.vote !== 0 && hs.vote !== want.vote) {
    return `the vote in term ${hs.term} is ${hs.vote || 'none'} but a vote for ${want.vote} was acknowledged`;
  }
  if (hs.commit < want.commit) {
    return `the commit index is ${hs.commit} but ${want.commit} was acknowledged`;
  }
  return undefined;
}

/** A mark that promises nothing (a new, empty log). */
export function isEmptyMark(m: DurableMark): boolean {
  return (
    m.index === 0 &&
    m.snapshotIndex === 0 &&
    m.hardState.term === 0 &&
    m.hardState.vote === 0 &&
    m.hardState.commit === 0
  );
}
