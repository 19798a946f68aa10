// Shrinking a non-linearizable key to a 1-minimal core of operations, and the report that
// names them.

import { CAS, NOT_EQUAL, READ, WRITE, type HistoryOp, type SearchOp } from './linearizability-history.js';
import { quickViolation, search } from './linearizability-search.js';

/** Budgets for shrinking a violation to a minimal core: per search, and in total (at most maxStates). */
const SHRINK_STATES_PER_SEARCH = 20_000;
const SHRINK_STATES_TOTAL = 1_000_000;

// ---------------------------------------------------------------------------------------
// Shrinking a violation to a 1-minimal core, and describing it.

/** The key's operations with every definite operation outside `core` weakened. */
function weakened(ops: readonly SearchOp[], core: ReadonlySet<number>): SearchOp[] {
  const out: SearchOp[] = [];
  for (const o of ops) {
    if (!o.known || core.has(o.ref)) out.push(o);
    else if (o.step === WRITE || o.step === CAS) out.push({ ...o, known: false, complete: Infinity });
    // READ and NOT_EQUAL only constrain: dropping them is the weakening.
  }
  return out;
}

function shrink(
  ops: readonly SearchOp[],
  frontier: number,
  maxStates: number,
): { core: number[]; minimal: boolean } {
  const quick = quickViolation(ops);
  if (quick !== undefined) return { core: quick.core.map((o) => o.ref), minimal: true };

  let remaining = Math.min(maxStates, SHRINK_STATES_TOTAL);
  const invokeOf = new Map(ops.map((o) => [o.ref, o.invoke]));
  const byTime = (x: number, y: number): number => invokeOf.get(x)! - invokeOf.get(y)! || x - y;
  let core = ops
    .filter((o) => o.known)
    .map((o) => o.ref)
    .sort(byTime);
  // Operations invoked after the search frontier never took part: weaken them for free.
  const cut = (at: number): void => {
    core = core.filter((ref) => invokeOf.get(ref)! <= at);
  };
  cut(frontier);

  // Delta-debugging passes: large chunks first, down to single operations. Reads (which are
  // simply dropped) go first because they are cheap to test; the final single-operation pass
  // over everything guarantees 1-minimality, since weakening is monotone. Every accepted step
  // was verified, so running out of budget still leaves a genuine violation.
  const isRead = new Set(ops.filter((o) => o.step === READ || o.step === NOT_EQUAL).map((o) => o.ref));
  let minimal = true;
  for (const readsOnly of [true, false]) {
    const eligible = (): number[] => (readsOnly ? core.filter((ref) => isRead.has(ref)) : core);
    for (
      let size = Math.ceil(eligible().length / 2);
      size >= 1;
      size = size === 1 ? 0 : Math.ceil(size / 2)
    ) {
      let pool = eligible();
      for (let i = 0; i < pool.length;) {
        if (remaining <= 0) return { core, minimal: false };
        const chunk = new Set(pool.slice(i, i + size));
        const trial = core.filter((ref) => !chunk.has(ref));
        const result = search(weakened(ops, new Set(trial)), Math.min(SHRINK_STATES_PER_SEARCH, remaining));
        remaining -= result.states;
        if (result.verdict === 'violation') {
          core = trial;
          cut(result.frontier);
          const kept = new Set(core);
          i = pool.slice(0, i).filter((ref) => kept.has(ref)).length;
          pool = pool.filter((ref) => kept.has(ref));
        } else {
          if (result.verdict === 'budget' && size === 1 && !readsOnly) minimal = false;
          i += size;
        }
      }
    }
  }
  return { core, minimal };
}

export function describeViolation(
  history: readonly HistoryOp[],
  key: string,
  ops: readonly SearchOp[],
  frontier: number,
  maxStates: number,
): string {
  const { core, minimal } = shrink(ops, frontier, maxStates);
  const listed = [...core].sort((x, y) => history[x]!.invoke - history[y]!.invoke || x - y);
  const others = ops.length - core.length;
  const context =
    others === 0
      ? ''
      : others === 1
        ? ', even if the one other operation on the key took effect at any time after its invocation or not at all'
        : `, even if each of the ${others} other operations on the key took effect at any time after its ` +
          'invocation or not at all';
  return (
    `key ${JSON.stringify(key)} is not linearizable: no valid order exists for ` +
    `${minimal ? 'these' : 'these (not fully minimized)'} ${core.length} operation${core.length === 1 ? '' : 's'}${context}: ` +
    listed.map((ref) => describeOp(history[ref]!, ref)).join('; ')
  );
}

function show(v: string | undefined): string {
  return v === undefined ? 'undefined' : JSON.stringify(v);
}

/** E.g. `#7 client 2: cas("x", expect "a", set "b") -> true, [10, 14]`. */
function describeOp(h: HistoryOp, ref: number): string {
  const { op } = h;
  const call =
    op.kind === 'get'
      ? `get(${JSON.stringify(op.key)})`
      : op.kind === 'put'
        ? `put(${JSON.stringify(op.key)}, ${JSON.stringify(op.value)})`
        : `cas(${JSON.stringify(op.key)}, expect ${show(op.expect)}, set ${JSON.stringify(op.value)})`;
  const r = h.result;
  const outcome =
    h.outcome !== 'ok' || r === undefined
      ? h.outcome
      : r.kind === 'get'
        ? show(r.value)
        : r.kind === 'put'
          ? 'ok'
          : String(r.ok);
  const end = h.outcome === 'ok' && h.complete !== undefined ? `${h.complete}]` : '∞)';
  return `#${ref} client ${h.client}: ${call} -> ${outcome}, [${h.invoke}, ${end}`;
}
