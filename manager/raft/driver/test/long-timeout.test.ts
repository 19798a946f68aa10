import assert from 'node:assert/strict';
import { mock, test } from 'node:test';
import { longTimeout, MAX_TIMER_MS, systemClock } from '../../../../api/clock/clock.js';

test('a delay longer than a Node timer holds fires when asked, not after 1 ms', () => {
  mock.timers.enable({ apis: ['setTimeout'] });
  try {
    let fired = 0;
    const thirtyDays = 30 * 24 * 3600 * 1000;
    assert.ok(thirtyDays > MAX_TIMER_MS);
    longTimeout(() => fired++, thirtyDays);
    mock.timers.tick(1);
    assert.equal(fired, 0);
    mock.timers.tick(MAX_TIMER_MS);
    assert.equal(fired, 0);
    mock.timers.tick(thirtyDays - MAX_TIMER_MS - 4);
    assert.equal(fired, 0);
    // (the mock timers re-arm a timer from the end of the tick that ran it: a ms or two late)
    mock.timers.tick(4);
    assert.equal(fired, 1);
  } finally {
    mock.timers.reset();
  }
});

test('cancel stops a long timer in any of its steps; NaN and negative fire at once; Infinity never', () => {
  mock.timers.enable({ apis: ['setTimeout'] });
  try {
    let fired = 0;
    const cancel = systemClock.setTimeout(() => fired++, 3 * MAX_TIMER_MS);
    mock.timers.tick(MAX_TIMER_MS + 5);
    cancel();
    mock.timers.tick(3 * MAX_TIMER_MS);
    assert.equal(fired, 0);
    longTimeout(() => fired++, Number.NaN);
    longTimeout(() => fired++, -5);
    longTimeout(() => fired++, Infinity);
    mock.timers.tick(0);
    assert.equal(fired, 2);
    mock.timers.tick(10 * MAX_TIMER_MS);
    assert.equal(fired, 2);
  } finally {
    mock.timers.reset();
  }
});
