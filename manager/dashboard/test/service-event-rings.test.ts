// The services' recent events: a ring per service, a bounded number of services.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ServiceEvent } from '../deltas.js';
import { EVENTS_PER_SERVICE, MAX_TRACKED_SERVICES, ServiceEventRings } from '../service-event-rings.js';

const ev = (serviceId: string, n: number): ServiceEvent => ({
  serviceId,
  time: new Date(Date.UTC(2024, 0, 1, 0, 0, n)).toISOString(),
  kind: 'task',
  message: `event ${n}`,
});

test('a service keeps its last events, oldest first, up to the ring size', () => {
  const rings = new ServiceEventRings(3, 10);
  for (let i = 1; i <= 5; i++) rings.add(ev('s1', i));
  assert.deepEqual(
    rings.recent('s1').map((e) => e.message),
    ['event 3', 'event 4', 'event 5'],
  );
  assert.deepEqual(rings.recent('unknown'), []);
});

test('the defaults bound memory: 50 events for each of 256 services', () => {
  const rings = new ServiceEventRings();
  assert.equal(EVENTS_PER_SERVICE, 50);
  assert.equal(MAX_TRACKED_SERVICES, 256);
  for (let s = 0; s < 300; s++) for (let i = 0; i < 60; i++) rings.add(ev(`s${s}`, i));
  assert.equal(rings.trackedServices, 256);
  assert.equal(rings.recent('s299').length, 50);
  assert.deepEqual(rings.recent('s0'), [], 'the least recently active services are forgotten');
});

test('the service with the oldest last event goes first; forget drops one', () => {
  const rings = new ServiceEventRings(5, 2);
  rings.add(ev('a', 1));
  rings.add(ev('b', 2));
  rings.add(ev('a', 3));
  rings.add(ev('c', 4));
  assert.deepEqual(rings.recent('b'), []);
  assert.equal(rings.recent('a').length, 2);
  rings.forget('a');
  assert.deepEqual(rings.recent('a'), []);
  assert.equal(rings.trackedServices, 1);
  assert.throws(() => new ServiceEventRings(0, 1), RangeError);
});
