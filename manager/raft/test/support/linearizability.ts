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

export type KvOp =
  | { kind: 'get'; key: string }
  | { kind: 'put'; key: string; value: string }
  | { kind: 'cas'; key: string; expect: string | undefined; value: string };

export type KvResult =
  { kind: 'get'; value: string | undefined } | { kind: 'put' } | { kind: 'cas'; ok: boolean };

export interface HistoryOp {
  client: number;
  op: KvOp;
  /** Logical time of the invocation. */
  invoke: number;
  /** Logical time of the response; undefined when the outcome is unknown (timeout, crash). */
  complete: number | undefined;
  /** The response; undefined when the operation failed or its outcome is unknown. */
  result: KvResult | undefined;
  /**
   * 'ok': took effect exactly once between invoke and complete and returned `result`.
   * 'fail': definitely did not take effect.
   * 'unknown': may or may not have taken effect, at any time after invoke.
   */
  outcome: 'ok' | 'fail' | 'unknown';
}

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

/** Budgets for shrinking a violation to a minimal core: per search, and in total (at most maxStates). */
const SHRINK_STATES_PER_SEARCH = 20_000;
const SHRINK_STATES_TOTAL = 1_000_000;

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

// ---------------------------------------------------------------------------------------
// Search problem: per-key operations compiled to four step kinds.

/** Legal iff state === a; state unchanged. A definite get that returned a. */
const READ = 0;
/** Legal iff state !== a; state unchanged. A definite cas that failed. */
const NOT_EQUAL = 1;
/** Always legal; state := b. A put (definite or unknown). */
const WRITE = 2;
/** Legal iff state === a; state := b. A successful cas, or an unknown cas that takes effect. */
const CAS = 3;
type Step = typeof READ | typeof NOT_EQUAL | typeof WRITE | typeof CAS;

interface SearchOp {
  /** Index into the caller's history. */
  ref: number;
  step: Step;
  a: string | undefined;
  b: string | undefined;
  invoke: number;
  /** Definite operations must be linearized within [invoke, complete]; unknown ones need not be. */
  known: boolean;
  /** Infinity for unknown operations. */
  complete: number;
}

function partitionByKey(history: readonly HistoryOp[]): Map<string, SearchOp[]> {
  const partitions = new Map<string, SearchOp[]>();
  history.forEach((h, ref) => {
    const where = `history[${ref}]`;
    if (!Number.isFinite(h.invoke)) throw new Error(`${where}: invoke must be a finite number`);
    let compiled: SearchOp | undefined;
    if (h.outcome === 'fail') {
      compiled = undefined; // definitely did not take effect
    } else if (h.outcome === 'unknown') {
      const base = { ref, invoke: h.invoke, known: false, complete: Infinity };
      if (h.op.kind === 'put') compiled = { ...base, step: WRITE, a: undefined, b: h.op.value };
      else if (h.op.kind === 'cas') compiled = { ...base, step: CAS, a: h.op.expect, b: h.op.value };
      else compiled = undefined; // a get of unknown outcome constrains nothing
    } else if (h.outcome === 'ok') {
      const { complete, result } = h;
      if (complete === undefined || !Number.isFinite(complete)) {
        throw new Error(`${where}: an 'ok' operation needs a finite complete time`);
      }
      if (complete < h.invoke)
        throw new Error(`${where}: complete (${complete}) precedes invoke (${h.invoke})`);
      if (result === undefined || result.kind !== h.op.kind) {
        throw new Error(`${where}: an 'ok' ${h.op.kind} needs a ${h.op.kind} result`);
      }
      const base = { ref, invoke: h.invoke, known: true, complete };
      if (result.kind === 'get') {
        compiled = { ...base, step: READ, a: result.value, b: undefined };
      } else if (h.op.kind === 'put') {
        compiled = { ...base, step: WRITE, a: undefined, b: h.op.value };
      } else if (h.op.kind === 'cas' && result.kind === 'cas') {
        compiled = result.ok
          ? { ...base, step: CAS, a: h.op.expect, b: h.op.value }
          : { ...base, step: NOT_EQUAL, a: h.op.expect, b: undefined };
      }
    } else {
      throw new Error(`${where}: unrecognised outcome ${JSON.stringify(h.outcome)}`);
    }
    if (compiled === undefined) return;
    let ops = partitions.get(h.op.key);
    if (ops === undefined) partitions.set(h.op.key, (ops = []));
    ops.push(compiled);
  });
  return partitions;
}

// ---------------------------------------------------------------------------------------
// The WGL search over one key.

type Verdict = 'linearizable' | 'violation' | 'budget';

interface SearchResult {
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

function search(ops: readonly SearchOp[], maxStates: number): SearchResult {
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
function quickViolation(ops: readonly SearchOp[]): { core: SearchOp[]; frontier: number } | undefined {
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

function describeViolation(
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
