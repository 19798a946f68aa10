// The fault harness's verdict on hand-written histories: it must find a lost acknowledged
// write, a duplicate, a phantom and a non-linearizable history, and pass a clean one in which
// outcomes are unknown or refused.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { judgeHistory } from '../history-verdict.js';
import type { FinalRead, WriteOutcome, ReadRecord, WriteRecord } from '../history.js';

function write(
  kind: 'create' | 'update',
  key: string,
  expect: string | undefined,
  value: string,
  [invoke, complete]: [number, number | undefined],
  outcome: WriteOutcome,
  observedPresent = false,
): WriteRecord {
  return {
    client: 0,
    via: 'node1',
    kind,
    key,
    expect,
    value,
    invoke,
    complete,
    outcome,
    observedPresent,
    detail: outcome,
  };
}

function final(via: string, at: number, services: [string, string | undefined][]): FinalRead {
  return { via, invoke: at, complete: at + 1, services: services.map(([name, value]) => ({ name, value })) };
}

const clean: WriteRecord[] = [
  write('create', 'r', undefined, 'r@init', [0, 1], 'ok'),
  write('update', 'r', 'r@init', 'a', [2, 3], 'ok'),
  // Unknown: it took effect after all (the final value builds on it).
  write('update', 'r', 'a', 'b', [4, undefined], 'unknown'),
  write('update', 'r', 'b', 'c', [6, 7], 'ok'),
  // A stale version: refused.
  write('update', 'r', 'a', 'x', [6, 8], 'fail'),
  write('create', 's1', undefined, 's1', [1, 2], 'ok'),
  // A create that timed out and never happened.
  write('create', 's2', undefined, 's2', [3, undefined], 'unknown'),
];

test('a clean history with unknown and refused writes passes', () => {
  const finals = ['node1', 'node2', 'node3'].map((n) =>
    final(n, 20, [
      ['r', 'c'],
      ['s1', 's1'],
    ]),
  );
  const reads: ReadRecord[] = [{ client: 1, via: 'node2', key: 'r', value: 'a', invoke: 5, complete: 6 }];
  const v = judgeHistory(clean, reads, finals);
  assert.deepEqual(v.problems, []);
  assert.equal(v.figures.linearizable, true);
  assert.deepEqual(
    { ops: v.figures.ops, ack: v.figures.acknowledged, unknown: v.figures.unknown, failed: v.figures.failed },
    { ops: 7, ack: 4, unknown: 2, failed: 1 },
  );
});

test('an acknowledged create missing on one manager is lost, and not linearizable', () => {
  const finals = [
    final('node1', 20, [
      ['r', 'c'],
      ['s1', 's1'],
    ]),
    final('node2', 20, [['r', 'c']]),
  ];
  const v = judgeHistory(clean, [], finals);
  assert.equal(v.figures.lost, 1);
  assert.equal(v.figures.linearizable, false);
  assert.match(v.problems.join('\n'), /lost: create s1 = s1 .* node2 ends with s1 = undefined/);
});

test('a register rolled back past an acknowledged update is a loss', () => {
  // The final value builds on r@init directly: the acknowledged "a" (and "c" after it) vanished.
  const history = [...clean, write('update', 'r', 'r@init', 'z', [9, undefined], 'unknown')];
  const v = judgeHistory(
    history,
    [],
    [
      final('node1', 20, [
        ['r', 'z'],
        ['s1', 's1'],
      ]),
    ],
  );
  assert.equal(v.figures.lost, 2);
  assert.equal(v.figures.linearizable, false);
});

test('a duplicate name and a value nobody wrote are found', () => {
  const v = judgeHistory(
    clean,
    [{ client: 1, via: 'node3', key: 'r', value: 'q', invoke: 5, complete: 6 }],
    [
      final('node1', 20, [
        ['r', 'c'],
        ['s1', 's1'],
        ['s1', 's1'],
        ['ghost', 'ghost'],
      ]),
    ],
  );
  assert.equal(v.figures.duplicated, 1);
  assert.equal(v.figures.phantoms, 2);
  assert.match(v.problems.join('\n'), /phantom: node1 lists service ghost/);
  assert.match(v.problems.join('\n'), /phantom: node3 read r = q before any client wrote it/);
});

test('a refused write that shows up in the final state is a phantom', () => {
  const v = judgeHistory(
    clean,
    [],
    [
      final('node1', 20, [
        ['r', 'x'],
        ['s1', 's1'],
      ]),
    ],
  );
  assert.ok(v.figures.phantoms >= 1);
  assert.notEqual(v.figures.linearizable, true);
});

test('a create answered "name taken" when nobody else created it is not linearizable', () => {
  const history = [write('create', 'n', undefined, 'n', [0, 1], 'ok', true)];
  const v = judgeHistory(history, [], [final('node1', 5, [])]);
  assert.equal(v.figures.linearizable, false);
});
