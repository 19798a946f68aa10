// A snapshot captured at once and encoded in slices (snapshot-capture.ts): the same bytes as the
// synchronous encoder for the same state, the state as of the capture whatever is applied
// meanwhile, the event loop let run between slices, and an abort that drops it.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createLocalStore } from '../local-proposer.js';
import { captureTables, encodeCaptured, type CapturedTables } from '../snapshot-capture.js';
import { Slicer, sortInSlices } from '../snapshot-slices.js';
import { encodeSnapshotV2 } from '../snapshot-v2.js';
import type { MemoryStore } from '../store.js';
import { Tables } from '../tables.js';
import { TABLE_NAMES } from '../../../api/objects/index.js';
import { newNetwork, newNode, newSecret, newService, newTask, seeded, taskSpec } from './fixtures.js';

const never = new AbortController().signal;

/** `n` tasks of 7 services (some with a spec of their own) on 3 nodes, IDs in random order. */
async function filled(n: number): Promise<MemoryStore> {
  const store = createLocalStore();
  const random = seeded(13);
  await store.update((tx) => {
    for (let i = 0; i < 3; i++) tx.create('nodes', newNode(`node${i}`));
    for (let i = 0; i < 7; i++) tx.create('services', newService(`svc${i}`, `web-${i}`));
    tx.create('networks', newNetwork('net0', 'overlay'));
    tx.create('secrets', newSecret('sec0', 'password'));
  });
  const ids = Array.from({ length: n }, (_, i) => `task${Math.floor(random() * 1e12).toString(36)}x${i}`);
  for (let i = 0; i < n; i += 500) {
    await store.update((tx) => {
      for (let j = i; j < Math.min(n, i + 500); j++) {
        const t = newTask(ids[j]!, `svc${j % 7}`, j + 1, `node${j % 3}`);
        tx.create('tasks', j % 101 === 0 ? { ...t, spec: taskSpec(`redis:${j}`) } : t);
      }
    });
  }
  return store;
}

test('the sliced encoder writes the bytes snapshot() writes, for any slice length', async () => {
  const store = await filled(10_000);
  const expected = store.snapshot();
  assert.deepEqual(await store.captureSnapshot()(never), expected, 'default slices');
  const tables = captured(store);
  // A slice of 0 ms yields after every object: every chunk boundary the stream can see.
  assert.deepEqual(await encodeCaptured(tables, never, { sliceMs: 0 }), expected, 'one object a slice');
  assert.deepEqual(await encodeCaptured(tables, never, { sliceMs: 1e9 }), expected, 'one slice');
});

test('an empty store and a store of one object encode as snapshot() does', async () => {
  const empty = createLocalStore();
  assert.deepEqual(await empty.captureSnapshot()(never), empty.snapshot());
  await empty.update((tx) => tx.create('nodes', newNode('n1')));
  assert.deepEqual(await empty.captureSnapshot()(never), empty.snapshot());
});

test('past the body bound both encoders write format 1, the same bytes', async () => {
  const store = await filled(300);
  const tables = captured(store);
  const expected = encodeSnapshotV2(tablesOf(store), store.appliedIndex, 10_000);
  assert.equal(Buffer.from(expected.subarray(0, 7)).toString(), '{"v":1,', 'format 1 past the bound');
  assert.deepEqual(await encodeCaptured(tables, never, { maxBytes: 10_000, sliceMs: 0 }), expected);
  assert.deepEqual(await encodeCaptured(tables, never, { maxBytes: 10_000, sliceMs: 1e9 }), expected);
});

test('the snapshot holds the state at the capture, whatever is applied while it is encoded', async () => {
  const store = await filled(2_000);
  const before = store.snapshot();
  const index = store.appliedIndex;
  const encode = store.captureSnapshot();
  await store.update((tx) => {
    tx.delete('tasks', tx.list('tasks')[0]!.id);
    tx.create('services', newService('late', 'late'));
    const t = tx.list('tasks')[5]!;
    tx.update('tasks', { ...t, desiredState: 'shutdown' });
  });
  assert.ok(store.appliedIndex > index);
  const data = await encode(never);
  assert.deepEqual(data, before);
  const copy = createLocalStore();
  copy.restore(index, data);
  assert.equal(
    copy.view((tx) => tx.get('services', 'late')),
    undefined,
  );
});

test('the event loop runs between slices', async () => {
  const store = await filled(3_000);
  let turns = 0;
  const timer = setInterval(() => turns++, 0);
  try {
    await encodeCaptured(captured(store), never, { sliceMs: 0 });
  } finally {
    clearInterval(timer);
  }
  assert.ok(turns >= 10, `timers ran ${turns} times during the encode`);
});

test('an abort drops the encode with the signal reason', async () => {
  const store = await filled(3_000);
  const abort = new AbortController();
  const reason = new Error('superseded');
  // Queued before the encoder's first pause: it aborts mid-way.
  setImmediate(() => abort.abort(reason));
  await assert.rejects(
    encodeCaptured(captured(store), abort.signal, { sliceMs: 0 }),
    (e: unknown) => e === reason,
  );
  const aborted = new AbortController();
  aborted.abort(reason);
  await assert.rejects(store.captureSnapshot()(aborted.signal), (e: unknown) => e === reason);
});

test('sortInSlices sorts as Array.prototype.sort does, whatever the length', async () => {
  const random = seeded(7);
  const compare = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
  for (const n of [0, 1, 2, 4095, 4096, 4097, 8192, 12_289, 30_001]) {
    const items = Array.from({ length: n }, (_, i) => `${Math.floor(random() * 1e9).toString(36)}-${i}`);
    const copy = [...items];
    const sorted = await sortInSlices(items, compare, new Slicer(never, 0));
    assert.deepEqual(sorted, [...items].sort(compare), `n=${n}`);
    assert.deepEqual(items, copy, 'the input is left as it was');
  }
});

/** Tables holding the store's objects (the same objects: their parts stay shared). */
function tablesOf(store: MemoryStore): Tables {
  return store.view((tx) => {
    const tables = new Tables();
    for (const name of TABLE_NAMES) for (const obj of tx.list(name)) tables.any(name).insert(obj);
    return tables;
  });
}

function captured(store: MemoryStore): CapturedTables {
  return captureTables(tablesOf(store), store.appliedIndex);
}
