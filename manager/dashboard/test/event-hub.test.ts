// The hub: store changes reach every stream as deltas; streams are capped; a slow reader is
// dropped instead of buffered; the services' recent events are kept.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { pino } from 'pino';
import { createLocalStore } from '../../store/index.js';
import { newNode, newService, newTask } from '../../store/test/fixtures.js';
import type { DashboardDelta } from '../deltas.js';
import { DashboardHub, DEFAULT_MAX_CLIENTS, type StreamClient } from '../event-hub.js';

const logger = pino({ level: 'silent' });

class FakeStream implements StreamClient {
  readonly chunks: string[] = [];
  closed = false;
  /** What the "socket" has not taken yet. */
  pending = 0;
  constructor(private readonly reads: boolean) {}
  write(chunk: string): void {
    this.chunks.push(chunk);
    if (!this.reads) this.pending += Buffer.byteLength(chunk);
  }
  backlog(): number {
    return this.pending;
  }
  close(): void {
    this.closed = true;
  }
  deltas(): DashboardDelta[] {
    return this.chunks
      .filter((c) => c.startsWith('event: delta\n'))
      .map((c) => JSON.parse(c.slice(c.indexOf('data: ') + 6)) as DashboardDelta);
  }
}

async function settle(): Promise<void> {
  for (let i = 0; i < 5; i++) await new Promise((r) => setImmediate(r));
}

test('each transaction reaches every stream as one delta, after a hello with the index', async () => {
  const store = createLocalStore();
  const hub = new DashboardHub({ store, logger });
  hub.start();
  const a = new FakeStream(true);
  const b = new FakeStream(true);
  assert.equal(hub.addClient(a), true);
  assert.equal(hub.addClient(b), true);
  assert.match(a.chunks[0] ?? '', /^retry: 2000\nevent: hello\ndata: \{"index":0\}\n\n$/);
  await store.update((tx) => {
    tx.create('nodes', newNode('n1'));
    tx.create('services', newService('s1', 'web'));
  });
  await store.update((tx) => tx.create('tasks', newTask('t1', 's1', 1, 'n1')));
  await settle();
  for (const s of [a, b]) {
    const deltas = s.deltas();
    assert.deepEqual(
      deltas.map((d) => d.index),
      [1, 2],
    );
    assert.deepEqual(
      deltas[1]?.tasks.map((t) => t.id),
      ['t1'],
    );
  }
  assert.deepEqual(
    hub.rings.recent('s1').map((e) => e.kind),
    ['created', 'task'],
  );
  assert.equal(hub.state().index, 2);
  hub.removeClient(b);
  await store.update((tx) => tx.delete('tasks', 't1'));
  await settle();
  assert.equal(a.deltas().length, 3);
  assert.equal(b.deltas().length, 2, 'a removed stream gets nothing more');
  hub.stop();
  assert.equal(a.closed, true, 'stopping the hub ends its streams');
  assert.equal(store.watcherCount, 0, 'and its watch');
});

test(`at most ${DEFAULT_MAX_CLIENTS} streams by default; more are refused`, () => {
  const store = createLocalStore();
  const hub = new DashboardHub({ store, logger });
  hub.start();
  for (let i = 0; i < DEFAULT_MAX_CLIENTS; i++) assert.equal(hub.addClient(new FakeStream(true)), true);
  const extra = new FakeStream(true);
  assert.equal(hub.addClient(extra), false);
  assert.deepEqual(extra.chunks, [], 'nothing is written to a refused stream');
  assert.equal(hub.clientCount, DEFAULT_MAX_CLIENTS);
  hub.stop();
  assert.equal(hub.clientCount, 0);
});

test('a stream whose reader falls too far behind is dropped; the others go on', async () => {
  const store = createLocalStore();
  const hub = new DashboardHub({ store, logger, maxBacklogBytes: 2048 });
  hub.start();
  const slow = new FakeStream(false);
  const fast = new FakeStream(true);
  hub.addClient(slow);
  hub.addClient(fast);
  for (let i = 0; i < 20; i++) {
    await store.update((tx) => tx.create('nodes', newNode(`n${i}`)));
  }
  await settle();
  assert.equal(slow.closed, true);
  const written = slow.chunks.reduce((n, c) => n + Buffer.byteLength(c), 0);
  assert.ok(written < 2048 + 1024, `the slow stream was cut near the bound (${written} bytes)`);
  assert.equal(fast.closed, false);
  assert.equal(fast.deltas().length, 20);
  assert.equal(hub.clientCount, 1);
  hub.stop();
});

test('a hub that falls behind the store tells every page to read the state again', async () => {
  const store = createLocalStore({ watchBufferSize: 4 });
  const hub = new DashboardHub({ store, logger });
  hub.start();
  const s = new FakeStream(true);
  hub.addClient(s);
  // Many transactions before the hub's pump runs: its watch overflows.
  await Promise.all(
    Array.from({ length: 10 }, (_, i) => store.update((tx) => tx.create('nodes', newNode(`n${i}`)))),
  );
  await settle();
  assert.ok(
    s.chunks.some((c) => c.startsWith('event: resync\n')),
    s.chunks.join('|'),
  );
  await store.update((tx) => tx.create('nodes', newNode('after')));
  await settle();
  assert.ok(
    s.deltas().some((d) => d.nodes.some((n) => n.id === 'after')),
    'the hub watches again after the overflow',
  );
  hub.stop();
});
