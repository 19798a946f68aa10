// The verdict on a recorded history once the cluster has healed and every manager was read:
// nothing acknowledged lost, nothing duplicated, no phantom, and the whole history (writes and
// final reads) linearizable by the Raft simulator's checker.
//
// Lost is counted directly, not only through the checker: the values of a key form a chain
// (every successful write names the value it replaced, and values are unique), so the chain
// that ends at a manager's final value must pass through every acknowledged write of that key.

import {
  checkLinearizable,
  type LinearizabilityResult,
} from '../../manager/raft/test/support/linearizability.js';
import { checkerHistory, type FinalRead, type ReadRecord, type WriteRecord } from './history.js';

export interface HistoryFigures {
  readonly ops: number;
  readonly acknowledged: number;
  readonly failed: number;
  readonly unknown: number;
  /** Acknowledged writes missing from a manager's final state (each counted once). */
  readonly lost: number;
  /** Names listed twice by a manager. */
  readonly duplicated: number;
  /** Values or services in a read that no client wrote (or wrote only after the read). */
  readonly phantoms: number;
  readonly keys: number;
  readonly managersRead: number;
  readonly linearizable: LinearizabilityResult['ok'];
}

export interface HistoryVerdict {
  readonly figures: HistoryFigures;
  /** One line per problem found (empty when the history passes). */
  readonly problems: readonly string[];
}

export function judgeHistory(
  writes: readonly WriteRecord[],
  reads: readonly ReadRecord[],
  finals: readonly FinalRead[],
): HistoryVerdict {
  const problems: string[] = [];
  const byKey = new Map<string, WriteRecord[]>();
  for (const w of writes) {
    let list = byKey.get(w.key);
    if (list === undefined) byKey.set(w.key, (list = []));
    list.push(w);
  }

  // Which value replaced which, from every write that may have taken effect.
  const replaced = new Map<string, Map<string, string | undefined>>();
  for (const [key, list] of byKey) {
    const links = new Map<string, string | undefined>();
    for (const w of list) if (w.outcome !== 'fail' && !w.observedPresent) links.set(w.value, w.expect);
    replaced.set(key, links);
  }

  const lostWrites = new Set<WriteRecord>();
  let duplicated = 0;
  let phantoms = 0;
  for (const f of finals) {
    const values = new Map<string, string | undefined>();
    for (const s of f.services) {
      if (values.has(s.name)) {
        duplicated++;
        problems.push(`duplicate: ${f.via} lists service ${s.name} more than once`);
        continue;
      }
      values.set(s.name, s.value);
      const links = replaced.get(s.name);
      if (links === undefined) {
        phantoms++;
        problems.push(`phantom: ${f.via} lists service ${s.name}, which no client created`);
      } else if (s.value === undefined || !links.has(s.value)) {
        phantoms++;
        problems.push(`phantom: ${f.via} has ${s.name} = ${String(s.value)}, a value no client wrote`);
      }
    }
    for (const [key, list] of byKey) {
      const links = replaced.get(key)!;
      const chain = new Set<string>();
      let v = values.get(key);
      while (v !== undefined && !chain.has(v) && links.has(v)) {
        chain.add(v);
        v = links.get(v);
      }
      for (const w of list) {
        if (w.outcome === 'ok' && !w.observedPresent && !chain.has(w.value) && !lostWrites.has(w)) {
          lostWrites.add(w);
          problems.push(
            `lost: ${w.kind} ${key} = ${w.value} was acknowledged by ${w.via} (${w.detail}) but ${f.via} ends with ${key} = ${String(values.get(key))}`,
          );
        }
      }
    }
  }

  // Reads during the run may be stale (a follower's store) but never invent a value.
  for (const r of reads) {
    if (r.value === undefined) continue;
    const known = byKey.get(r.key)?.some((w) => w.value === r.value && w.invoke <= r.complete) ?? false;
    if (!known) {
      phantoms++;
      problems.push(`phantom: ${r.via} read ${r.key} = ${r.value} before any client wrote it`);
    }
  }

  const lin = checkLinearizable(checkerHistory(writes, finals, (i) => 1_000 + i));
  if (lin.ok === false) problems.push(`not linearizable: ${lin.reason}`);
  if (lin.ok === 'unknown') problems.push(`linearizability undecided: ${lin.reason}`);

  const count = (o: WriteRecord['outcome']): number => writes.filter((w) => w.outcome === o).length;
  return {
    figures: {
      ops: writes.length,
      acknowledged: writes.filter((w) => w.outcome === 'ok' && !w.observedPresent).length,
      failed: count('fail') + writes.filter((w) => w.observedPresent).length,
      unknown: count('unknown') + count('pending'),
      lost: lostWrites.size,
      duplicated,
      phantoms,
      keys: byKey.size,
      managersRead: finals.length,
      linearizable: lin.ok,
    },
    problems,
  };
}
