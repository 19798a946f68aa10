import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  checkLinearizable,
  type HistoryOp,
  type KvOp,
  type KvResult,
  type LinearizabilityResult,
} from './support/linearizability.js';

// ---------------------------------------------------------------------------------------
// Builders for hand-written histories. Times are [invoke, complete].

type Interval = [number, number];

function put(client: number, key: string, value: string, [invoke, complete]: Interval): HistoryOp {
  return {
    client,
    op: { kind: 'put', key, value },
    invoke,
    complete,
    result: { kind: 'put' },
    outcome: 'ok',
  };
}
function get(
  client: number,
  key: string,
  value: string | undefined,
  [invoke, complete]: Interval,
): HistoryOp {
  return {
    client,
    op: { kind: 'get', key },
    invoke,
    complete,
    result: { kind: 'get', value },
    outcome: 'ok',
  };
}
function cas(
  client: number,
  key: string,
  expect: string | undefined,
  value: string,
  ok: boolean,
  [invoke, complete]: Interval,
): HistoryOp {
  return {
    client,
    op: { kind: 'cas', key, expect, value },
    invoke,
    complete,
    result: { kind: 'cas', ok },
    outcome: 'ok',
  };
}
function unknown(client: number, op: KvOp, invoke: number): HistoryOp {
  return { client, op, invoke, complete: undefined, result: undefined, outcome: 'unknown' };
}
function failed(client: number, op: KvOp, [invoke, complete]: Interval): HistoryOp {
  return { client, op, invoke, complete, result: undefined, outcome: 'fail' };
}

function assertOk(r: LinearizabilityResult, name: string): void {
  assert.deepEqual(r, { ok: true }, `${name}: expected linearizable, got ${JSON.stringify(r)}`);
}
function assertViolation(r: LinearizabilityResult, name: string): string {
  assert.equal(r.ok, false, `${name}: expected a violation, got ${JSON.stringify(r)}`);
  assert.ok(r.ok === false);
  return r.reason;
}

interface Case {
  name: string;
  history: HistoryOp[];
  linearizable: boolean;
  /** History indices the violation report must name. */
  names?: number[];
}

const cases: Case[] = [
  { name: 'empty history', history: [], linearizable: true },
  {
    name: 'read of the initial (absent) value',
    history: [get(1, 'x', undefined, [0, 1])],
    linearizable: true,
  },
  {
    name: 'sequential write then read',
    history: [put(1, 'x', 'a', [0, 1]), get(2, 'x', 'a', [2, 3])],
    linearizable: true,
  },
  {
    name: 'stale read after a completed write',
    history: [put(1, 'x', 'a', [0, 1]), put(1, 'x', 'b', [2, 3]), get(2, 'x', 'a', [4, 5])],
    linearizable: false,
    names: [0, 1, 2],
  },
  {
    name: 'read of the initial value after a completed write',
    history: [put(1, 'x', 'a', [0, 1]), get(2, 'x', undefined, [2, 3])],
    linearizable: false,
    names: [0, 1],
  },
  {
    name: 'read concurrent with a write may see the old value',
    history: [put(1, 'x', 'a', [0, 1]), put(1, 'x', 'b', [2, 6]), get(2, 'x', 'a', [3, 4])],
    linearizable: true,
  },
  {
    name: 'intervals touching at an instant count as concurrent',
    history: [put(1, 'x', 'a', [0, 2]), get(2, 'x', undefined, [2, 3])],
    linearizable: true,
  },
  {
    name: 'concurrent writes, later read sees the first order',
    history: [put(1, 'x', 'a', [0, 10]), put(2, 'x', 'b', [0, 10]), get(3, 'x', 'a', [11, 12])],
    linearizable: true,
  },
  {
    name: 'concurrent writes, later read sees the second order',
    history: [put(1, 'x', 'a', [0, 10]), put(2, 'x', 'b', [0, 10]), get(3, 'x', 'b', [11, 12])],
    linearizable: true,
  },
  {
    name: 'concurrent writes, reads during them see both values in one order',
    history: [
      put(1, 'x', 'a', [0, 10]),
      put(2, 'x', 'b', [0, 10]),
      get(3, 'x', 'a', [1, 2]),
      get(3, 'x', 'b', [3, 4]),
      get(4, 'x', 'b', [11, 12]),
    ],
    linearizable: true,
  },
  {
    name: 'concurrent writes, sequential reads disagree about the order',
    history: [
      put(1, 'x', 'a', [0, 10]),
      put(2, 'x', 'b', [0, 10]),
      get(3, 'x', 'a', [11, 12]),
      get(4, 'x', 'b', [13, 14]),
    ],
    linearizable: false,
  },
  {
    name: 'concurrent reads flip-flop between two writes',
    history: [
      put(1, 'x', 'a', [0, 10]),
      put(2, 'x', 'b', [0, 10]),
      get(3, 'x', 'a', [1, 2]),
      get(3, 'x', 'b', [3, 4]),
      get(3, 'x', 'a', [5, 6]),
    ],
    linearizable: false,
  },
  {
    name: 'read of a value that was never written',
    history: [put(1, 'x', 'a', [0, 1]), get(2, 'x', 'zzz', [2, 3]), put(1, 'x', 'b', [4, 5])],
    linearizable: false,
    names: [1],
  },
  {
    name: 'read of a value written only after the read completed',
    history: [get(2, 'x', 'a', [0, 1]), put(1, 'x', 'a', [2, 3])],
    linearizable: false,
    names: [0],
  },
  {
    name: 'unknown write that took effect',
    history: [unknown(1, { kind: 'put', key: 'x', value: 'a' }, 0), get(2, 'x', 'a', [5, 6])],
    linearizable: true,
  },
  {
    name: 'unknown write that did not take effect',
    history: [unknown(1, { kind: 'put', key: 'x', value: 'a' }, 0), get(2, 'x', undefined, [5, 6])],
    linearizable: true,
  },
  {
    name: 'unknown write that took effect long after its invocation',
    history: [
      unknown(1, { kind: 'put', key: 'x', value: 'a' }, 0),
      get(2, 'x', undefined, [5, 6]),
      put(2, 'x', 'b', [7, 8]),
      get(2, 'x', 'a', [9, 10]),
    ],
    linearizable: true,
  },
  {
    name: 'unknown write cannot be undone once observed',
    history: [
      unknown(1, { kind: 'put', key: 'x', value: 'a' }, 0),
      get(2, 'x', 'a', [5, 6]),
      get(2, 'x', undefined, [7, 8]),
    ],
    linearizable: false,
    names: [1, 2],
  },
  {
    name: 'unknown write cannot take effect before its invocation',
    history: [get(2, 'x', 'a', [0, 1]), unknown(1, { kind: 'put', key: 'x', value: 'a' }, 2)],
    linearizable: false,
  },
  {
    name: 'unknown write takes effect at most once',
    history: [
      unknown(1, { kind: 'put', key: 'x', value: 'a' }, 0),
      get(2, 'x', 'a', [1, 2]),
      put(2, 'x', 'b', [3, 4]),
      get(2, 'x', 'a', [5, 6]),
    ],
    linearizable: false,
  },
  {
    name: 'unknown cas may have succeeded',
    history: [
      put(1, 'x', 'a', [0, 1]),
      unknown(1, { kind: 'cas', key: 'x', expect: 'a', value: 'b' }, 2),
      get(2, 'x', 'b', [5, 6]),
    ],
    linearizable: true,
  },
  {
    name: 'unknown cas cannot succeed from the wrong value',
    history: [
      put(1, 'x', 'c', [0, 1]),
      unknown(1, { kind: 'cas', key: 'x', expect: 'a', value: 'b' }, 2),
      get(2, 'x', 'b', [5, 6]),
    ],
    linearizable: false,
  },
  {
    name: 'unknown get constrains nothing',
    history: [put(1, 'x', 'a', [0, 1]), unknown(2, { kind: 'get', key: 'x' }, 2), get(3, 'x', 'a', [4, 5])],
    linearizable: true,
  },
  {
    name: 'cas succeeds once from the expected value, then fails',
    history: [
      put(1, 'x', 'a', [0, 1]),
      cas(1, 'x', 'a', 'b', true, [2, 3]),
      cas(2, 'x', 'a', 'c', false, [4, 5]),
    ],
    linearizable: true,
  },
  {
    name: 'cas succeeding twice from the same expected value (sequential)',
    history: [
      put(1, 'x', 'a', [0, 1]),
      cas(1, 'x', 'a', 'b', true, [2, 3]),
      cas(2, 'x', 'a', 'c', true, [4, 5]),
    ],
    linearizable: false,
    names: [1, 2],
  },
  {
    name: 'cas succeeding twice from the same expected value (concurrent)',
    history: [
      put(1, 'x', 'a', [0, 1]),
      cas(1, 'x', 'a', 'b', true, [2, 9]),
      cas(2, 'x', 'a', 'c', true, [2, 9]),
    ],
    linearizable: false,
    names: [1, 2],
  },
  {
    name: 'concurrent cas from the same value: one wins, one loses',
    history: [
      put(1, 'x', 'a', [0, 1]),
      cas(1, 'x', 'a', 'b', true, [2, 9]),
      cas(2, 'x', 'a', 'c', false, [2, 9]),
      get(3, 'x', 'b', [10, 11]),
    ],
    linearizable: true,
  },
  {
    name: 'cas from undefined creates the key once',
    history: [cas(1, 'x', undefined, 'a', true, [0, 1]), cas(2, 'x', undefined, 'b', false, [2, 3])],
    linearizable: true,
  },
  {
    name: 'failed cas while the expected value is current',
    history: [put(1, 'x', 'a', [0, 1]), cas(2, 'x', 'a', 'b', false, [2, 3])],
    linearizable: false,
  },
  {
    name: "'fail' write whose value is later read",
    history: [failed(1, { kind: 'put', key: 'x', value: 'a' }, [0, 1]), get(2, 'x', 'a', [2, 3])],
    linearizable: false,
    names: [1],
  },
  {
    name: "'fail' write that is never observed",
    history: [
      put(1, 'x', 'a', [0, 1]),
      failed(1, { kind: 'put', key: 'x', value: 'b' }, [2, 3]),
      get(2, 'x', 'a', [4, 5]),
    ],
    linearizable: true,
  },
  {
    name: "'fail' cas does not take effect",
    history: [
      put(1, 'x', 'a', [0, 1]),
      failed(1, { kind: 'cas', key: 'x', expect: 'a', value: 'b' }, [2, 3]),
      cas(2, 'x', 'a', 'c', true, [4, 5]),
    ],
    linearizable: true,
  },
  {
    name: 'reads across keys are independent',
    history: [
      put(1, 'x', 'a', [0, 10]),
      put(2, 'y', 'b', [0, 10]),
      get(3, 'y', 'b', [1, 2]),
      get(3, 'x', undefined, [3, 4]),
      get(4, 'x', 'a', [5, 6]),
      get(4, 'y', 'b', [7, 8]),
      get(5, 'z', undefined, [5, 6]),
    ],
    linearizable: true,
  },
  {
    name: 'same values on different keys do not interfere',
    history: [put(1, 'x', 'a', [0, 1]), get(2, 'y', 'a', [2, 3])],
    linearizable: false,
    names: [1],
  },
  {
    name: 'a violation on one key is found among healthy keys',
    history: [
      put(1, 'x', 'a', [0, 1]),
      put(2, 'y', 'b', [0, 1]),
      get(3, 'x', 'a', [2, 3]),
      put(1, 'y', 'c', [4, 5]),
      get(2, 'y', 'b', [6, 7]),
      get(3, 'x', 'a', [6, 7]),
    ],
    linearizable: false,
    names: [3, 4],
  },
];

for (const c of cases) {
  test(`linearizability: ${c.name}`, () => {
    const r = checkLinearizable(c.history);
    if (c.linearizable) {
      assertOk(r, c.name);
      return;
    }
    const reason = assertViolation(r, c.name);
    for (const idx of c.names ?? []) {
      assert.ok(reason.includes(`#${idx} client`), `${c.name}: reason should name #${idx}: ${reason}`);
    }
  });
}

test('linearizability: the report names a minimal core and omits unrelated operations', () => {
  const history = [
    get(9, 'x', undefined, [-4, -3]), // #0 unrelated
    put(1, 'x', 'a', [0, 1]), // #1
    put(1, 'x', 'b', [2, 3]), // #2
    get(2, 'x', 'b', [4, 5]), // #3
    get(2, 'x', 'a', [6, 7]), // #4 stale
    put(3, 'y', 'q', [0, 7]), // #5 other key
    failed(4, { kind: 'put', key: 'x', value: 'a' }, [3, 4]), // #6 did not take effect
    unknown(5, { kind: 'put', key: 'x', value: 'c' }, 0), // #7 irrelevant either way
  ];
  const reason = assertViolation(checkLinearizable(history), 'minimal core');
  assert.match(reason, /key "x"/);
  // Minimal cores need not be unique ({#1, #2, #4} and {#1, #3, #4} both are), but each one
  // holds the stale read and none of the unrelated operations.
  assert.ok(reason.includes('#4 client'), reason);
  for (const idx of [0, 5, 6, 7]) assert.ok(!reason.includes(`#${idx} client`), reason);
  assert.match(reason, /these 3 operations/);
});

test('linearizability: malformed histories are rejected', () => {
  const noComplete: HistoryOp = { ...get(1, 'x', undefined, [0, 1]), complete: undefined };
  const noResult: HistoryOp = { ...get(1, 'x', undefined, [0, 1]), result: undefined };
  const wrongKind: HistoryOp = { ...get(1, 'x', undefined, [0, 1]), result: { kind: 'put' } };
  const backwards = get(1, 'x', undefined, [5, 1]);
  for (const h of [noComplete, noResult, wrongKind, backwards]) {
    assert.throws(() => checkLinearizable([h]), /history\[0\]/);
  }
  assert.throws(() => checkLinearizable([], { maxStates: 0 }), RangeError);
});

test('linearizability: an exhausted search budget returns unknown, not a verdict', () => {
  // 12 concurrent writes then three sequential reads a, b, a: not linearizable, but proving
  // it means trying every subset and order of the writes.
  const history: HistoryOp[] = [];
  for (let i = 0; i < 12; i++) history.push(put(i, 'x', `v${i}`, [0, 100]));
  history.push(
    get(20, 'x', 'v0', [101, 102]),
    get(20, 'x', 'v1', [103, 104]),
    get(20, 'x', 'v0', [105, 106]),
  );
  const r = checkLinearizable(history, { maxStates: 500 });
  assert.equal(r.ok, 'unknown');
  assert.ok(r.ok === 'unknown');
  assert.match(r.reason, /budget of 500 states/);
  assert.match(r.reason, /"x"/);
  // A definite violation on another key still wins over an exhausted budget.
  const withViolation = [...history, put(1, 'y', 'a', [0, 1]), get(1, 'y', undefined, [2, 3])];
  assert.equal(checkLinearizable(withViolation, { maxStates: 500 }).ok, false);
  // With the default budget the search completes.
  assertViolation(checkLinearizable(history), 'wide concurrent writes');
});

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
