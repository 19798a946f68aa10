import { test } from 'node:test';
import assert from 'node:assert/strict';
import { HeartbeatMonitor } from '../heartbeat-monitor.js';
import { heartbeatGrace } from '../settings.js';
import { ManualClock } from '../../../api/clock/manual-clock.js';

function setup(): { clock: ManualClock; expired: string[]; monitor: HeartbeatMonitor } {
  const clock = new ManualClock();
  const expired: string[] = [];
  return { clock, expired, monitor: new HeartbeatMonitor(clock, (id) => expired.push(id)) };
}

test('a node that keeps beating never expires; one that stops expires once, after the grace', () => {
  const { clock, expired, monitor } = setup();
  monitor.beat('a', 100);
  monitor.beat('b', 100);
  for (let i = 0; i < 10; i++) {
    clock.advance(60);
    monitor.beat('a', 100);
  }
  assert.deepEqual(expired, ['b']);
  clock.advance(99);
  assert.deepEqual(expired, ['b']);
  clock.advance(1);
  assert.deepEqual(expired, ['b', 'a']);
  clock.advance(1000);
  assert.deepEqual(expired, ['b', 'a']);
  assert.equal(monitor.size, 0);
});

test('beats re-arm one timer instead of piling up timers', () => {
  const { clock, monitor } = setup();
  for (let i = 0; i < 100; i++) monitor.beat('a', 100);
  assert.equal(clock.pending, 1);
});

test('a shorter grace (the period was lowered) takes effect at once', () => {
  const { clock, expired, monitor } = setup();
  monitor.beat('a', 10_000);
  monitor.beat('a', 50);
  clock.advance(50);
  assert.deepEqual(expired, ['a']);
});

test('forget and close stop expiry', () => {
  const { clock, expired, monitor } = setup();
  monitor.beat('a', 10);
  monitor.beat('b', 10);
  monitor.forget('a');
  monitor.close();
  clock.advance(100);
  assert.deepEqual(expired, []);
});

test('grace is three periods plus a margin of at most one second', () => {
  assert.equal(heartbeatGrace(5000), 16_000);
  assert.equal(heartbeatGrace(50), 200);
  assert.equal(heartbeatGrace(50, 25), 175);
});
