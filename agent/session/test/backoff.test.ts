import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Backoff } from '../backoff.js';

test('waits double up to the ceiling, drawn from the upper half, and reset starts over', () => {
  const low = new Backoff({ initialMs: 100, maxMs: 1000, random: () => 0 });
  assert.deepEqual(
    [1, 2, 3, 4, 5, 6].map(() => low.next()),
    [50, 100, 200, 400, 500, 500],
  );
  const high = new Backoff({ initialMs: 100, maxMs: 1000, random: () => 0.999999 });
  assert.deepEqual(
    [1, 2, 3, 4, 5].map(() => high.next()),
    [100, 200, 400, 800, 1000],
  );
  assert.equal(high.attempts, 5);
  high.reset();
  assert.equal(high.next(), 100);
});

test('refuses nonsensical bounds', () => {
  assert.throws(() => new Backoff({ initialMs: 0 }), RangeError);
  assert.throws(() => new Backoff({ initialMs: 100, maxMs: 10 }), RangeError);
});
