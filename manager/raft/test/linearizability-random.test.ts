// The linearizability checker on randomized histories: sequential executions (linearizable by
// construction) and their corruptions, against a brute-force oracle, and at scale.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkLinearizable, type HistoryOp, type KvOp, type KvResult } from './support/linearizability.js';
import { assertOk, assertViolation } from './support/linearizability-asserts.js';

// ---------------------------------------------------------------------------------------
// Randomized histories from real sequential executions.

/** mulberry32: small seeded generator, so every run of this file is reproducible. */
class Rng {
  private s: number;
  constructor(seed: number) {
    this.s = seed >>> 0;
  }
  next(): number {
    this.s = (this.s + 0x6d2b79f5) >>> 0;
    let t = this.s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  /** Integer in [lo, hi]. */
  int(lo: number, hi: number): number {
    return lo + Math.floor(this.next() * (hi - lo + 1));
  }
  pick<T>(xs: readonly T[]): T {
    return xs[Math.floor(this.next() * xs.length)]!;
  }
}

interface GenOptions {
  ops: number;
  keys: number;
  clients: number;
  values: number;
  /** Probability that an operation times out (outcome unknown) or fails outright. */
  unknownRate: number;
  failRate: number;
}

/**
 * Each client issues operations one after another; every operation that takes effect gets a
 * linearization point inside its interval (unknown ones possibly long after the client gave
 * up), and the results come from executing the operations in linearization-point order.
 */
function generateHistory(rng: Rng, g: GenOptions): HistoryOp[] {
  const keys = Array.from({ length: g.keys }, (_, i) => `k${i}`);
  const values = Array.from({ length: g.values }, (_, i) => `v${i}`);
  const clock = Array.from({ length: g.clients }, () => rng.int(0, 3));
  const history: HistoryOp[] = [];
  const effects: { idx: number; at: number }[] = [];
  for (let n = 0; n < g.ops; n++) {
    const client = rng.int(0, g.clients - 1);
    const key = rng.pick(keys);
    const roll = rng.next();
    const op: KvOp =
      roll < 0.45
        ? { kind: 'get', key }
        : roll < 0.8
          ? { kind: 'put', key, value: rng.pick(values) }
          : {
              kind: 'cas',
              key,
              expect: rng.next() < 0.2 ? undefined : rng.pick(values),
              value: rng.pick(values),
            };
    const invoke = clock[client]!;
    const fate = rng.next();
    if (fate < g.unknownRate) {
      history.push({ client, op, invoke, complete: undefined, result: undefined, outcome: 'unknown' });
      if (rng.next() < 0.5) effects.push({ idx: n, at: invoke + rng.int(0, 60) });
      clock[client] = invoke + 20; // the client times out and moves on
    } else if (fate < g.unknownRate + g.failRate) {
      const complete = invoke + rng.int(0, 5);
      history.push({ client, op, invoke, complete, result: undefined, outcome: 'fail' });
      clock[client] = complete + rng.int(0, 3);
    } else {
      const at = invoke + rng.int(0, 10);
      const complete = at + rng.int(0, 10);
      history.push({ client, op, invoke, complete, result: undefined, outcome: 'ok' });
      effects.push({ idx: n, at });
      clock[client] = complete + rng.int(0, 3);
    }
  }
  effects.sort((a, b) => a.at - b.at || a.idx - b.idx);
  const store = new Map<string, string>();
  for (const { idx } of effects) {
    const h = history[idx]!;
    const { op } = h;
    let result: KvResult;
    if (op.kind === 'get') {
      result = { kind: 'get', value: store.get(op.key) };
    } else if (op.kind === 'put') {
      store.set(op.key, op.value);
      result = { kind: 'put' };
    } else {
      const ok = store.get(op.key) === op.expect;
      if (ok) store.set(op.key, op.value);
      result = { kind: 'cas', ok };
    }
    if (h.outcome === 'ok') history[idx] = { ...h, result };
  }
  return history;
}

function isOkGet(h: HistoryOp): h is HistoryOp & { result: { kind: 'get'; value: string | undefined } } {
  return h.outcome === 'ok' && h.result?.kind === 'get';
}

/** Value a definite or unknown operation writes, if it may write one. */
function writtenValue(h: HistoryOp): string | undefined {
  if (h.outcome === 'fail' || h.op.kind === 'get') return undefined;
  if (h.op.kind === 'cas' && h.outcome === 'ok' && h.result?.kind === 'cas' && !h.result.ok) return undefined;
  return h.op.value;
}

/**
 * A value the read at `g` provably cannot return: some definite write w2 of another value
 * completed before the read began, and every write of the value completed before w2 began
 * (for undefined, which nothing writes, any definite write before the read suffices).
 */
function provablyStaleValue(history: readonly HistoryOp[], g: HistoryOp): string | undefined | null {
  if (!isOkGet(g)) return null;
  const key = g.op.key;
  const onKey = history.filter((h) => h.op.key === key);
  const definiteWrites = onKey.filter((h) => h.outcome === 'ok' && writtenValue(h) !== undefined);
  const candidates = new Set<string | undefined>([undefined, ...onKey.map(writtenValue)]);
  for (const v of candidates) {
    if (v === g.result.value) continue;
    const writesOfV = onKey.filter((h) => v !== undefined && writtenValue(h) === v);
    if (writesOfV.some((w) => w.outcome !== 'ok')) continue;
    const w2 = definiteWrites.find(
      (w) =>
        writtenValue(w) !== v && w.complete! < g.invoke && writesOfV.every((w1) => w1.complete! < w.invoke),
    );
    if (w2 !== undefined) return v;
  }
  return null;
}

test('linearizability: randomized histories from sequential executions, and corruptions', () => {
  const seeds = 300;
  let stale = 0;
  for (let seed = 1; seed <= seeds; seed++) {
    const rng = new Rng(seed);
    const history = generateHistory(rng, {
      ops: rng.int(5, 80),
      keys: rng.int(1, 4),
      clients: rng.int(1, 6),
      values: rng.int(1, 4),
      unknownRate: rng.pick([0, 0.05, 0.15]),
      failRate: rng.pick([0, 0.05]),
    });
    assertOk(checkLinearizable(history), `seed ${seed}`);

    const reads = history.flatMap((h, i) => (isOkGet(h) ? [i] : []));
    if (reads.length === 0) continue;

    // Corruption 1: a read returns a value nobody ever wrote.
    const target = rng.pick(reads);
    const orig = history[target]!;
    const corrupted = [...history];
    corrupted[target] = { ...orig, result: { kind: 'get', value: 'never-written' } };
    const reason = assertViolation(
      checkLinearizable(corrupted),
      `seed ${seed}, never-written read #${target}`,
    );
    // The original was linearizable and weakening is monotone, so the core must name the read.
    assert.ok(reason.includes(`#${target} client`), `seed ${seed}: ${reason}`);

    // Corruption 2: a read returns a value that was provably overwritten before it began.
    for (const idx of reads) {
      const v = provablyStaleValue(history, history[idx]!);
      if (v === null) continue;
      const staled = [...history];
      staled[idx] = { ...history[idx]!, result: { kind: 'get', value: v } };
      const why = assertViolation(
        checkLinearizable(staled),
        `seed ${seed}, stale read #${idx} -> ${String(v)}`,
      );
      assert.ok(why.includes(`#${idx} client`), `seed ${seed}: ${why}`);
      stale++;
      break;
    }
  }
  // The stale-read corruption must actually have been exercised.
  assert.ok(stale > seeds / 3, `only ${stale} of ${seeds} seeds had a provably stale read`);
});

/**
 * Brute-force oracle over the whole (multi-key) history: tries every order of the operations
 * that respects real time, with unknown operations optional and accepting any result.
 */
function bruteForceLinearizable(history: readonly HistoryOp[]): boolean {
  const ops = history.filter((h) => h.outcome !== 'fail');
  const used = new Array<boolean>(ops.length).fill(false);
  const mustPrecede = (p: HistoryOp, o: HistoryOp): boolean => p.outcome === 'ok' && p.complete! < o.invoke;
  const go = (store: ReadonlyMap<string, string>, remainingOk: number): boolean => {
    if (remainingOk === 0) return true;
    for (let i = 0; i < ops.length; i++) {
      const o = ops[i]!;
      if (used[i] || ops.some((p, j) => !used[j] && mustPrecede(p, o))) continue;
      const next = new Map(store);
      const cur = store.get(o.op.key);
      let legal = true;
      if (o.op.kind === 'get') {
        legal = o.outcome !== 'ok' || (o.result?.kind === 'get' && o.result.value === cur);
      } else if (o.op.kind === 'put') {
        next.set(o.op.key, o.op.value);
      } else {
        const succeeds = cur === o.op.expect;
        if (o.outcome === 'ok') legal = o.result?.kind === 'cas' && o.result.ok === succeeds;
        if (succeeds) next.set(o.op.key, o.op.value);
      }
      if (!legal) continue;
      used[i] = true;
      const found = go(next, remainingOk - (o.outcome === 'ok' ? 1 : 0));
      used[i] = false;
      if (found) return true;
    }
    return false;
  };
  return go(new Map(), ops.filter((h) => h.outcome === 'ok').length);
}

test('linearizability: agrees with a brute-force oracle on small corrupted histories', () => {
  const values = [undefined, 'v0', 'v1', 'v2'];
  let violations = 0;
  const seeds = 3000;
  for (let seed = 1; seed <= seeds; seed++) {
    const rng = new Rng(seed * 7919);
    const history = generateHistory(rng, {
      ops: rng.int(1, 7),
      keys: rng.int(1, 2),
      clients: rng.int(1, 4),
      values: rng.int(1, 3),
      unknownRate: rng.pick([0, 0.2, 0.4]),
      failRate: rng.pick([0, 0.15]),
    });
    // Arbitrary corruptions, valid or not: the oracle decides.
    for (let k = rng.int(0, 2); k > 0; k--) {
      const i = rng.int(0, history.length - 1);
      const h = history[i]!;
      if (h.outcome !== 'ok' || h.result === undefined) continue;
      if (h.result.kind === 'get') history[i] = { ...h, result: { kind: 'get', value: rng.pick(values) } };
      else if (h.result.kind === 'cas') history[i] = { ...h, result: { kind: 'cas', ok: !h.result.ok } };
    }
    const expected = bruteForceLinearizable(history);
    const r = checkLinearizable(history);
    assert.equal(r.ok, expected, `seed ${seed}: ${JSON.stringify(history)} -> ${JSON.stringify(r)}`);
    if (!expected) violations++;
  }
  assert.ok(violations > seeds / 10, `only ${violations} of ${seeds} histories were non-linearizable`);
});

test('linearizability: reported cores are genuine and 1-minimal', () => {
  let verified = 0;
  for (let seed = 1; seed <= 150; seed++) {
    const rng = new Rng(seed * 31 + 5);
    const history = generateHistory(rng, {
      ops: rng.int(20, 150),
      keys: rng.int(1, 3),
      clients: rng.int(2, 6),
      values: rng.int(2, 6),
      unknownRate: rng.pick([0, 0.05, 0.2]),
      failRate: 0.02,
    });
    // Corrupt one read or cas result, valid or not.
    const targets = history.flatMap((h, i) => (h.outcome === 'ok' && h.result?.kind !== 'put' ? [i] : []));
    if (targets.length === 0) continue;
    const t = rng.pick(targets);
    const h = history[t]!;
    const result = h.result;
    if (result?.kind === 'get') {
      const other = ['v0', 'v1', 'v2', 'v3', undefined].filter((v) => v !== result.value);
      history[t] = { ...h, result: { kind: 'get', value: rng.pick(other) } };
    } else if (result?.kind === 'cas') {
      history[t] = { ...h, result: { kind: 'cas', ok: !result.ok } };
    }
    const r = checkLinearizable(history);
    if (r.ok !== false) continue;
    const key = /^key "([^"]*)"/.exec(r.reason)?.[1];
    assert.ok(key !== undefined, r.reason);
    const core = new Set([...r.reason.matchAll(/#(\d+) client/g)].map((m) => Number(m[1])));
    // Weaken every definite operation on the key outside `keep`: reads and failed cas are
    // dropped ('fail'), writes become 'unknown'.
    const weaken = (keep: ReadonlySet<number>): HistoryOp[] =>
      history.map((o, i) => {
        if (o.op.key !== key || o.outcome !== 'ok' || keep.has(i)) return o;
        const observesOnly = o.result?.kind === 'get' || (o.result?.kind === 'cas' && !o.result.ok);
        return observesOnly
          ? { ...o, outcome: 'fail', result: undefined }
          : { ...o, outcome: 'unknown', complete: undefined, result: undefined };
      });
    assert.equal(
      checkLinearizable(weaken(core)).ok,
      false,
      `seed ${seed}: the core alone must be a violation`,
    );
    for (const i of core) {
      const rest = new Set(core);
      rest.delete(i);
      assertOk(checkLinearizable(weaken(rest)), `seed ${seed}: core without #${i}`);
    }
    verified++;
  }
  assert.ok(verified > 50, `only ${verified} violations verified`);
});

test('linearizability: 2,000 operations over 10 keys with 5 concurrent clients', () => {
  const rng = new Rng(20240611);
  const history = generateHistory(rng, {
    ops: 2000,
    keys: 10,
    clients: 5,
    values: 3,
    unknownRate: 0.03,
    failRate: 0.02,
  });
  const started = performance.now();
  const r = checkLinearizable(history);
  const ms = performance.now() - started;
  console.log(`linearizability: 2,000-op history (10 keys, 5 clients) checked in ${ms.toFixed(1)} ms`);
  assertOk(r, '2,000-op history');
});
