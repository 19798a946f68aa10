// The linearizability checker on hand-written histories: each case is a known verdict.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkLinearizable, type HistoryOp, type KvOp } from './support/linearizability.js';
import { assertOk, assertViolation } from './support/linearizability-asserts.js';

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
