// A recorded key-value history, and its compiled form: per key, each operation as one of four
// step kinds the WGL search (linearizability-search.ts) knows how to apply.

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

// ---------------------------------------------------------------------------------------
// Search problem: per-key operations compiled to four step kinds.

/** Legal iff state === a; state unchanged. A definite get that returned a. */
export const READ = 0;
/** Legal iff state !== a; state unchanged. A definite cas that failed. */
export const NOT_EQUAL = 1;
/** Always legal; state := b. A put (definite or unknown). */
export const WRITE = 2;
/** Legal iff state === a; state := b. A successful cas, or an unknown cas that takes effect. */
export const CAS = 3;
export type Step = typeof READ | typeof NOT_EQUAL | typeof WRITE | typeof CAS;

export interface SearchOp {
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

export function partitionByKey(history: readonly HistoryOp[]): Map<string, SearchOp[]> {
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
