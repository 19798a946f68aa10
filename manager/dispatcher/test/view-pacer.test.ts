import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ManualClock } from '../../../api/clock/manual-clock.js';
import type { ChangeEvent } from '../../store/index.js';
import { ViewPacer } from '../view-pacer.js';

/** A stand-in change: the pacer only orders and forwards them. */
function change(id: string): ChangeEvent {
  return { table: 'networks', action: 'delete', object: { id } } as unknown as ChangeEvent;
}

const ids = (cs: readonly ChangeEvent[]): string[] => cs.map((c) => c.object.id);

function pacer(intervalMs: number): {
  clock: ManualClock;
  p: ViewPacer;
  steps: string[][];
  timerSteps: number[];
} {
  const clock = new ManualClock();
  const steps: string[][] = [];
  const timerSteps: number[] = [];
  const p = new ViewPacer({
    clock,
    intervalMs,
    apply: (cs) => steps.push(ids(cs)),
    stepped: () => timerSteps.push(steps.length),
  });
  return { clock, p, steps, timerSteps };
}

test('a quiet cluster: a change goes out at once', () => {
  const { clock, p, steps } = pacer(200);
  assert.equal(p.push([change('a')]), true);
  assert.deepEqual(steps, [['a']]);
  clock.advance(500);
  assert.equal(p.push([change('b')]), true);
  assert.deepEqual(steps, [['a'], ['b']]);
});

test('changes within the interval wait and go out together, in order, once', () => {
  const { clock, p, steps, timerSteps } = pacer(200);
  assert.equal(p.push([change('a')]), true);
  clock.advance(50);
  assert.equal(p.push([change('b')]), false);
  assert.equal(p.push([change('c'), change('d')]), false);
  assert.deepEqual(steps, [['a']]);
  clock.advance(149);
  assert.deepEqual(steps, [['a']], 'not before the interval is over');
  clock.advance(1);
  assert.deepEqual(steps, [['a'], ['b', 'c', 'd']]);
  assert.deepEqual(timerSteps, [2], 'the timer step tells the dispatcher to send');
  // The next change within the interval of that step waits again.
  assert.equal(p.push([change('e')]), false);
  clock.advance(200);
  assert.deepEqual(steps, [['a'], ['b', 'c', 'd'], ['e']]);
});

test('interval 0: every batch goes out at once', () => {
  const { p, steps } = pacer(0);
  assert.equal(p.push([change('a')]), true);
  assert.equal(p.push([change('b')]), true);
  assert.deepEqual(steps, [['a'], ['b']]);
});

test('discarded changes are not applied; a closed pacer applies nothing more', () => {
  const { clock, p, steps, timerSteps } = pacer(200);
  p.push([change('a')]);
  p.push([change('b')]);
  p.discard();
  clock.advance(300);
  assert.deepEqual(steps, [['a']]);
  assert.deepEqual(timerSteps, [], 'nothing waited, so nothing is sent');
  p.push([change('c')]);
  p.push([change('d')]);
  p.close();
  clock.advance(1000);
  assert.equal(p.push([change('e')]), false);
  assert.deepEqual(steps, [['a'], ['c']]);
});

test('an empty batch changes nothing', () => {
  const { p, steps } = pacer(200);
  assert.equal(p.push([]), false);
  assert.deepEqual(steps, []);
});
