// The leader's budget for large views in flight: within it views go at once; past it a node
// gets its tasks now and its view once others' views have been taken; the budget comes back
// when a view leaves the stream, or when its stream or session ends.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { pino } from 'pino';
import type { NodeAssignments } from '../assignment-set.js';
import { Session, type AssignmentsStream, type SessionStream, type SessionViews } from '../session.js';
import type { DigestedView } from '../network-views.js';
import { COUNTED_VIEW_BYTES, ViewBudget } from '../view-budget.js';

test('a budget admits views until the bytes in flight would pass it, and one oversized view alone', () => {
  const b = new ViewBudget(3 * COUNTED_VIEW_BYTES);
  const small = b.take(COUNTED_VIEW_BYTES - 1);
  assert.ok(small !== undefined);
  assert.equal(b.inFlight, 0, 'a small view is not counted');
  const one = b.take(2 * COUNTED_VIEW_BYTES);
  assert.ok(one !== undefined);
  assert.equal(b.take(2 * COUNTED_VIEW_BYTES), undefined, 'past the budget');
  const two = b.take(COUNTED_VIEW_BYTES);
  assert.ok(two !== undefined, 'up to the budget');
  assert.equal(b.inFlight, 3 * COUNTED_VIEW_BYTES);
  one.release();
  one.release(); // idempotent
  assert.equal(b.inFlight, COUNTED_VIEW_BYTES);
  two.release();
  const huge = b.take(10 * COUNTED_VIEW_BYTES);
  assert.ok(huge !== undefined, 'larger than the whole budget, but nothing else in flight');
  assert.equal(b.take(COUNTED_VIEW_BYTES), undefined);
  huge.release();
  assert.equal(b.inFlight, 0);
  assert.throws(() => new ViewBudget(0), RangeError);
  assert.throws(() => new ViewBudget(Number.NaN), RangeError);
});

/** A server stream whose written messages leave (their callbacks run) when the test says. */
class FakeStream extends EventEmitter {
  writableLength = 0;
  cancelled = false;
  writableEnded = false;
  readonly written: { networkView?: Uint8Array; networkViewUpdate?: Uint8Array }[] = [];
  readonly #pending: (() => void)[] = [];
  write(m: { networkView?: Uint8Array; networkViewUpdate?: Uint8Array }, done?: () => void): boolean {
    this.written.push(m);
    if (done !== undefined) this.#pending.push(done);
    return true;
  }
  /** The node read everything written so far. */
  drain(): void {
    for (const d of this.#pending.splice(0)) d();
  }
  end(): void {
    this.writableEnded = true;
  }
}

/** One large network view (the same for every node). */
function largeViews(bytes: number, encoded: number[] = []): SessionViews {
  return {
    of(nodeId: string): DigestedView {
      return { view: { nodeId, networks: [] }, digest: 'd1', networkDigests: new Map([['net', 'n1']]) };
    },
    encodeBytes: () => {
      encoded.push(bytes);
      return new Uint8Array(bytes);
    },
    encodedSize: () => bytes,
    largestNetwork: () => undefined,
  };
}

const empty = { updated: [], removed: [], secrets: [], configs: [] };

function session(id: string, budget: ViewBudget, held: Session[], encoded: number[] = []): Session {
  const s = new Session(
    id,
    `node-${id}`,
    new FakeStream() as unknown as SessionStream,
    pino({ level: 'silent' }),
    {
      closed: () => {},
      viewHeld: (x) => held.push(x),
      viewBudget: budget,
    },
  );
  s.views = largeViews(2 * COUNTED_VIEW_BYTES, encoded);
  return s;
}

function attach(s: Session): FakeStream {
  const stream = new FakeStream();
  s.attachAssignments(stream as unknown as AssignmentsStream, {} as NodeAssignments, {
    full: true,
    ...empty,
    index: 1,
  });
  return stream;
}

test('past the budget a full set goes without its view, which follows once another view was taken', () => {
  const budget = new ViewBudget(3 * COUNTED_VIEW_BYTES);
  const held: Session[] = [];
  const encodedForB: number[] = [];
  const a = session('a', budget, held);
  const b = session('b', budget, held, encodedForB);
  const sa = attach(a);
  const sb = attach(b);
  assert.equal(sa.written[0]?.networkView?.byteLength, 2 * COUNTED_VIEW_BYTES);
  assert.equal(sb.written.length, 1, 'b still gets its (empty) full set of tasks at once');
  assert.equal(sb.written[0]?.networkView?.byteLength ?? 0, 0, 'but not its view');
  assert.deepEqual(held, [b], 'the dispatcher is told to offer it again');
  assert.equal(b.refreshNetworkView(2), false, 'still no room: to be offered again');
  assert.equal(sb.written.length, 1);
  assert.deepEqual(encodedForB, [], 'a view that does not go is never put together');

  sa.drain(); // a's node took its view
  assert.equal(budget.inFlight, 0);
  assert.equal(b.refreshNetworkView(3), true);
  assert.equal(sb.written.length, 2);
  assert.equal(
    sb.written[1]?.networkViewUpdate?.byteLength,
    2 * COUNTED_VIEW_BYTES,
    'every network whole, as an update',
  );
  assert.equal(budget.inFlight, 2 * COUNTED_VIEW_BYTES);
});

test('a view never taken is given back when its stream is cancelled or its session closes', () => {
  const budget = new ViewBudget(2 * COUNTED_VIEW_BYTES);
  const a = session('a', budget, []);
  const sa = attach(a);
  assert.equal(budget.inFlight, 2 * COUNTED_VIEW_BYTES);
  sa.cancelled = true;
  sa.emit('cancelled');
  assert.equal(budget.inFlight, 0);

  const b = session('b', budget, []);
  attach(b);
  assert.equal(budget.inFlight, 2 * COUNTED_VIEW_BYTES);
  b.close();
  assert.equal(budget.inFlight, 0);

  const c = session('c', budget, []);
  attach(c);
  attach(c); // a new assignments stream replaces the first
  assert.equal(budget.inFlight, 2 * COUNTED_VIEW_BYTES, "only the new stream's view is counted");
});
