// Linearizability checker for key-value client histories recorded by the Raft simulator.
//
// Algorithm: Wing & Gong's search as refined by Lowe (the "WGL" algorithm): the history is
// a doubly linked list of call and return events in time order; the search repeatedly
// linearizes an operation whose call precedes the first pending return, lifting both of its
// events out of the list, and backtracks when that first return is reached. Configurations
// (set of linearized operations, model state) already explored are memoized, so each is
// explored at most once.
//
// Several additions keep real histories fast:
// - P-compositionality: linearizability of a key-value store is compositional per key, so
//   the history is partitioned by key and each key is checked on its own with a model state
//   of string | undefined.
// - Operations with an unknown outcome (timeouts, crashes) may take effect at any time after
//   their invocation, or never, so they would otherwise multiply the search space. Three exact
//   reductions tame them: (1) subsumption: a configuration is pruned when one with the same
//   definite set and state but a subset of the unknown operations applied was explored, since
//   leaving an unknown operation unapplied never removes options; (2) normal form: an unknown
//   operation is only worth applying right before an operation that observes the state, so it
//   is never followed directly by a write; (3) symmetry: invoked, unapplied unknown operations
//   with the same effect are interchangeable, so only one of them is tried.
// - Compact memo keys: the linearized definite set is always "every operation returning
//   before the earliest pending return, plus a few concurrent ones", and values are interned.
// - Certain violations (a read of a value nobody could have written yet, a read of undefined
//   after a completed write) are reported without searching.
//
// When a key is not linearizable, the report is shrunk to a 1-minimal core: definite
// operations are weakened (reads dropped, writes turned into unknown-outcome writes) while the
// key stays non-linearizable. Weakening is monotone, so each operation left in the core is
// necessary: weakening any one of them makes the rest explicable. Operations invoked after the
// point where the search got stuck are weakened first, for free. Note that when values repeat
// (few distinct values), a minimal core can legitimately be long: every write of a value that
// could explain a bad read has to stay in it.
//
// Here: the entry point. The history's compiled form is in linearizability-history.ts, the
// search in linearizability-search.ts, shrinking and the report in linearizability-report.ts.

import { partitionByKey, type HistoryOp, type SearchOp } from './linearizability-history.js';
import { describeViolation } from './linearizability-report.js';
import { search } from './linearizability-search.js';

export type { HistoryOp, KvOp, KvResult } from './linearizability-history.js';

export type LinearizabilityResult =
  { ok: true } | { ok: false; reason: string } | { ok: 'unknown'; reason: string };

export interface CheckOptions {
  /**
   * Budget of distinct search configurations explored per key before giving up with
   * ok: 'unknown'. Default 1,000,000. Shrinking a violation to a minimal core spends at most
   * min(maxStates, 1,000,000) more; past that the report says it is not fully minimized.
   */
  maxStates?: number;
}

export const DEFAULT_MAX_STATES = 1_000_000;

/**
 * Decides whether `history` is linearizable with respect to a key-value register per key
 * (initially undefined). Intervals are closed: an operation that completes at the instant
 * another is invoked counts as concurrent with it, so ties never produce a false alarm.
 * Throws on a malformed history (e.g. an 'ok' operation without a completion or result).
 */
export function checkLinearizable(history: readonly HistoryOp[], opts?: CheckOptions): LinearizabilityResult {
  const maxStates = opts?.maxStates ?? DEFAULT_MAX_STATES;
  if (!Number.isInteger(maxStates) || maxStates < 1) {
    throw new RangeError(`maxStates must be a positive integer, got ${String(maxStates)}`);
  }

  const partitions = partitionByKey(history);
  const violations: { key: string; ops: SearchOp[]; frontier: number }[] = [];
  const exhausted: string[] = [];
  for (const [key, ops] of partitions) {
    const { verdict, frontier } = search(ops, maxStates);
    if (verdict === 'violation') violations.push({ key, ops, frontier });
    else if (verdict === 'budget') exhausted.push(`${JSON.stringify(key)} (${ops.length} operations)`);
  }

  const first = violations[0];
  if (first !== undefined) {
    let reason = describeViolation(history, first.key, first.ops, first.frontier, maxStates);
    if (violations.length > 1) {
      reason += `; also not linearizable: key${violations.length > 2 ? 's' : ''} ${violations
        .slice(1)
        .map((v) => JSON.stringify(v.key))
        .join(', ')}`;
    }
    return { ok: false, reason };
  }
  if (exhausted.length > 0) {
    return {
      ok: 'unknown',
      reason: `search budget of ${maxStates} states per key exceeded on key${exhausted.length > 1 ? 's' : ''} ${exhausted.join(', ')}`,
    };
  }
  return { ok: true };
}
