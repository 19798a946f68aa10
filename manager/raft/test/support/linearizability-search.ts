// The WGL search over one key's operations (see linearizability.ts for the algorithm and the
// reductions that keep it fast), and the certain violations found without searching.

import { CAS, NOT_EQUAL, READ, WRITE, type SearchOp } from './linearizability-history.js';

// ---------------------------------------------------------------------------------------
// The WGL search over one key.

export type Verdict = 'linearizable' | 'violation' | 'budget';

export interface SearchResult {
  verdict: Verdict;
  /** Configurations explored. */
  states: number;
  /**
   * On a violation: the completion time of the earliest-returning definite operation that no
   * explored configuration linearized. No operation invoked later was ever a candidate, so
   * weakening those leaves the search, and the violation, unchanged. Otherwise +infinity.
   */
  frontier: number;
}

export function search(ops: readonly SearchOp[], maxStates: number): SearchResult {
  const quick = quickViolation(ops);
  if (quick !== undefined) return { verdict: 'violation', states: 0, frontier: quick.frontier };

  const n = ops.length;
  // Values interned to small integers (0 = undefined) so steps compare numbers.
  const valueIds = new Map<string, number>();
  const intern = (v: string | undefined): number => {
    if (v === undefined) return 0;
    let id = valueIds.get(v);
    if (id === undefined) valueIds.set(v, (id = valueIds.size + 1));
    return id;
  };
  const stepOf = new Uint8Array(n);
  const argA = new Int32Array(n);
  const argB = new Int32Array(n);
  const known = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    const o = ops[i]!;
    stepOf[i] = o.step;
    argA[i] = intern(o.a);
    argB[i] = intern(o.b);
    known[i] = o.known ? 1 : 0;
  }

  // Events: a call per operation, a return per definite operation (unknown ones return at
  // +infinity, which never blocks anything). Calls sort before returns at equal times.
  const events: { op: number; isCall: boolean; time: number }[] = [];
  for (let i = 0; i < n; i++) {
    const o = ops[i]!;
    events.push({ op: i, isCall: true, time: o.invoke });
    if (o.known) events.push({ op: i, isCall: false, time: o.complete });
  }
  events.sort((x, y) => x.time - y.time || (x.isCall ? 0 : 1) - (y.isCall ? 0 : 1) || x.op - y.op);

  // Definite operations are ranked by return order; unknown ones get a bit in a bitset.
  const rank = new Int32Array(n);
  let nKnown = 0;
  let nUnknown = 0;
  for (const ev of events) if (!ev.isCall) rank[ev.op] = nKnown++;
  for (let i = 0; i < n; i++) if (known[i] === 0) rank[i] = nUnknown++;
  if (nKnown === 0) return { verdict: 'linearizable', states: 0, frontier: Infinity };

  // Doubly linked list over event indices, with sentinels HEAD and TAIL.
  const m = events.length;
  const HEAD = m;
  const TAIL = m + 1;
  const next = new Int32Array(m + 2);
  const prev = new Int32Array(m + 2);
  const callEntry = new Int32Array(n);
  const returnEntry = new Int32Array(n).fill(-1);
  const entryOp = new Int32Array(m);
  const entryIsCall = new Uint8Array(m);
  for (let e = 0; e < m; e++) {
    const ev = events[e]!;
    entryOp[e] = ev.op;
    entryIsCall[e] = ev.isCall ? 1 : 0;
    if (ev.isCall) callEntry[ev.op] = e;
    else returnEntry[ev.op] = e;
    next[e] = e + 1;
    prev[e] = e - 1;
  }
  prev[0] = HEAD;
  next[m - 1] = TAIL;
  next[HEAD] = 0;
  prev[TAIL] = m - 1;

  const unlink = (e: number): void => {
    next[prev[e]!] = next[e]!;
    prev[next[e]!] = prev[e]!;
  };
  const relink = (e: number): void => {
    next[prev[e]!] = e;
    prev[next[e]!] = e;
  };
  const lift = (op: number): void => {
    unlink(callEntry[op]!);
    const r = returnEntry[op]!;
    if (r >= 0) unlink(r);
  };
  const unlift = (op: number): void => {
    const r = returnEntry[op]!;
    if (r >= 0) relink(r);
    relink(callEntry[op]!);
  };

  // Unknown operations with the same effect share a signature (for the symmetry reduction).
  // Taking the first one in list order (the earliest invoked) keeps the applied unknown set
  // canonical: per signature it is always a prefix in invocation order.
  const signature = new Int32Array(n);
  const signatures = new Map<string, number>();
  for (let i = 0; i < n; i++) {
    if (known[i] === 1) continue;
    const sig = `${stepOf[i]},${argA[i]},${argB[i]}`;
    let id = signatures.get(sig);
    if (id === undefined) signatures.set(sig, (id = signatures.size));
    signature[i] = id;
  }
  const sigStamp = new Int32Array(signatures.size);
  let stamp = 0;

  /**
   * Operations that may be linearized next: those whose call precedes the first pending
   * return; definite ones first, then one unknown operation per signature. Right after an
   * unknown operation, writes are excluded (they would make it pointless).
   */
  const candidates = (afterUnknown: boolean): number[] => {
    const out: number[] = [];
    let unknownOps: number[] | undefined;
    stamp++;
    for (let e = next[HEAD]!; e !== TAIL && entryIsCall[e] === 1; e = next[e]!) {
      const op = entryOp[e]!;
      if (afterUnknown && stepOf[op] === WRITE) continue;
      if (known[op] === 1) out.push(op);
      else if (sigStamp[signature[op]!] !== stamp) {
        sigStamp[signature[op]!] = stamp;
        (unknownOps ??= []).push(op);
      }
    }
    if (unknownOps !== undefined) for (const op of unknownOps) out.push(op);
    return out;
  };

  // The linearized definite set is always {rank < low} plus a few `extras` of higher rank
  // (operations concurrent with the earliest pending return), so it has a short, canonical key.
  let low = 0;
  let extras: readonly number[] = [];
  const withLinearized = (r: number): void => {
    if (r !== low) {
      const i = extras.findIndex((x) => x > r);
      extras = i < 0 ? [...extras, r] : [...extras.slice(0, i), r, ...extras.slice(i)];
      return;
    }
    low++;
    let drop = 0;
    while (drop < extras.length && extras[drop] === low) {
      drop++;
      low++;
    }
    if (drop > 0) extras = extras.slice(drop);
  };
  const unknownBits = new Uint32Array((nUnknown + 31) >>> 5);
  const flipUnknown = (op: number): void => {
    const b = rank[op]!;
    unknownBits[b >>> 5]! ^= 1 << (b & 31);
  };
  const configKey = (lowAfter: number, extrasAfter: readonly number[], state: number): string => {
    const codes = [lowAfter & 0xffff, lowAfter >>> 16, state & 0xffff, state >>> 16];
    for (const x of extrasAfter) codes.push(x & 0xffff, x >>> 16);
    if (codes.length <= 4096) return String.fromCharCode(...codes);
    let key = '';
    for (let i = 0; i < codes.length; i += 4096) key += String.fromCharCode(...codes.slice(i, i + 4096));
    return key;
  };

  // Memo: (definite set, state) -> unknown sets already explored, kept separately for
  // configurations reached right after an unknown operation (which allow fewer moves). A
  // configuration is subsumed by an explored one with a subset of its unknown operations and
  // the same flag, or with the flag clear.
  const seenFree = new Map<string, Uint32Array[]>();
  const seenAfter = new Map<string, Uint32Array[]>();
  let states = 0;
  const coveredBy = (explored: Uint32Array[] | undefined): boolean => {
    if (explored === undefined) return false;
    for (const u of explored) if (isSubset(u, unknownBits)) return true;
    return false;
  };
  const dropSupersets = (explored: Uint32Array[] | undefined): void => {
    if (explored === undefined) return;
    let keep = 0;
    for (const u of explored) if (!isSubset(unknownBits, u)) explored[keep++] = u;
    explored.length = keep;
  };
  /** Records the configuration; false if it, or one subsuming it, was already explored. */
  const visit = (key: string, afterUnknown: boolean): boolean => {
    const free = seenFree.get(key);
    const after = seenAfter.get(key);
    if (coveredBy(free) || (afterUnknown && coveredBy(after))) return false;
    const mine = afterUnknown ? after : free;
    const entry = unknownBits.slice();
    if (nUnknown > 0) {
      dropSupersets(mine);
      if (!afterUnknown) dropSupersets(after);
    }
    if (mine === undefined) (afterUnknown ? seenAfter : seenFree).set(key, [entry]);
    else mine.push(entry);
    states++;
    return true;
  };

  interface Frame {
    cands: number[];
    i: number;
    /** The operation linearized to reach this frame (-1 at the root), and what it replaced. */
    op: number;
    stateBefore: number;
    lowBefore: number;
    extrasBefore: readonly number[];
  }
  let state = 0;
  let maxLow = 0;
  const stack: Frame[] = [
    { cands: candidates(false), i: 0, op: -1, stateBefore: 0, lowBefore: 0, extrasBefore: extras },
  ];

  while (stack.length > 0) {
    const frame = stack[stack.length - 1]!;
    if (frame.i >= frame.cands.length) {
      // Every choice from here failed: backtrack.
      stack.pop();
      const op = frame.op;
      if (op >= 0) {
        unlift(op);
        if (known[op] === 0) flipUnknown(op);
        state = frame.stateBefore;
        low = frame.lowBefore;
        extras = frame.extrasBefore;
      }
      continue;
    }
    const op = frame.cands[frame.i++]!;
    let after: number;
    switch (stepOf[op]) {
      case READ:
        if (state !== argA[op]) continue;
        after = state;
        break;
      case NOT_EQUAL:
        if (state === argA[op]) continue;
        after = state;
        break;
      case WRITE:
        after = argB[op]!;
        break;
      default: // CAS
        if (state !== argA[op]) continue;
        after = argB[op]!;
        break;
    }
    const isKnown = known[op] === 1;
    const lowBefore = low;
    const extrasBefore = extras;
    if (isKnown) withLinearized(rank[op]!);
    else flipUnknown(op);
    if (!visit(configKey(low, extras, after), !isKnown)) {
      if (isKnown) {
        low = lowBefore;
        extras = extrasBefore;
      } else flipUnknown(op);
      continue;
    }
    if (states > maxStates) return { verdict: 'budget', states, frontier: Infinity };
    if (low === nKnown) return { verdict: 'linearizable', states, frontier: Infinity };
    if (low > maxLow) maxLow = low;
    lift(op);
    stack.push({ cands: candidates(!isKnown), i: 0, op, stateBefore: state, lowBefore, extrasBefore });
    state = after;
  }
  const stuck = events.find((ev) => !ev.isCall && rank[ev.op] === maxLow)!;
  return { verdict: 'violation', states, frontier: stuck.time };
}

function isSubset(a: Uint32Array, b: Uint32Array): boolean {
  for (let w = 0; w < a.length; w++) if ((a[w]! & ~b[w]!) !== 0) return false;
  return true;
}

/**
 * Certain violations found without searching, with a 1-minimal core:
 * 1. a definite read, or successful cas, that needs a defined value no write could have
 *    produced before it completed (core: that operation alone);
 * 2. otherwise, a definite read of undefined, or successful cas from undefined, after a
 *    definite write completed, since nothing writes undefined back (core: the two of them).
 */
export function quickViolation(ops: readonly SearchOp[]): { core: SearchOp[]; frontier: number } | undefined {
  const needsValue = (o: SearchOp): boolean => o.known && (o.step === READ || o.step === CAS);
  const writes = (w: SearchOp): boolean => w.step === WRITE || w.step === CAS;
  for (const o of ops) {
    if (!needsValue(o) || o.a === undefined) continue;
    if (!ops.some((w) => w !== o && writes(w) && w.b === o.a && w.invoke <= o.complete)) {
      return { core: [o], frontier: o.complete };
    }
  }
  let firstWrite: SearchOp | undefined; // the definite write that completes first
  for (const w of ops) {
    if (w.known && writes(w) && (firstWrite === undefined || w.complete < firstWrite.complete))
      firstWrite = w;
  }
  if (firstWrite === undefined) return undefined;
  for (const o of ops) {
    if (needsValue(o) && o.a === undefined && o !== firstWrite && firstWrite.complete < o.invoke) {
      return { core: [firstWrite, o], frontier: o.complete };
    }
  }
  return undefined;
}
