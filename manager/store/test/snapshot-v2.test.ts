// Snapshot format 2 (parts written once, deflated): round trip, format 1 still read, and every
// kind of damaged or hostile body refused whole with MalformedSnapshotError.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { deflateRawSync, inflateRawSync } from 'node:zlib';
import { createLocalStore } from '../local-proposer.js';
import { MalformedSnapshotError } from '../errors.js';
import type { MemoryStore } from '../store.js';
import { MAX_SNAPSHOT_BYTES } from '../snapshot-v2.js';
import { newNode, newService, newTask, taskSpec } from './fixtures.js';

async function filled(): Promise<MemoryStore> {
  const store = createLocalStore();
  await store.update((tx) => {
    tx.create('nodes', newNode('n1', 'worker'));
    tx.create('services', newService('s1', 'web'));
    tx.create('services', newService('s2', 'api'));
  });
  for (let i = 0; i < 40; i++) {
    await store.update((tx) => tx.create('tasks', newTask(`t${i}`, i % 2 === 0 ? 's1' : 's2', i + 1, 'n1')));
  }
  // One task of s1 with a different spec: its own part.
  await store.update((tx) => tx.create('tasks', { ...newTask('odd', 's1', 99), spec: taskSpec('redis:7') }));
  return store;
}

interface Parsed {
  readonly header: Record<string, unknown>;
  readonly lines: string[];
}

function parse(snapshot: Uint8Array): Parsed {
  const nl = snapshot.indexOf(0x0a);
  const header = JSON.parse(Buffer.from(snapshot.subarray(0, nl)).toString('utf8')) as Record<
    string,
    unknown
  >;
  const body = inflateRawSync(snapshot.subarray(nl + 1)).toString('utf8');
  return { header, lines: body.trimEnd().split('\n') };
}

/** A format 2 snapshot with this header and body, its size in the header unless given. */
function build(header: Record<string, unknown>, lines: readonly string[], bytes?: number): Uint8Array {
  const body = Buffer.from(lines.length === 0 ? '' : `${lines.join('\n')}\n`, 'utf8');
  const head = { ...header, bytes: bytes ?? body.length };
  return Buffer.concat([Buffer.from(`${JSON.stringify(head)}\n`), deflateRawSync(body)]);
}

function refused(store: MemoryStore, data: Uint8Array, name: string, reason?: RegExp): void {
  const hash = store.hash();
  assert.throws(
    () => store.restore(store.appliedIndex, data),
    (e: unknown) => e instanceof MalformedSnapshotError && (reason === undefined || reason.test(e.reason)),
    name,
  );
  assert.equal(store.hash(), hash, `${name}: state kept`);
}

test('format 2 writes each shared spec once and restores equal objects that share it again', async () => {
  const store = await filled();
  const snap = store.snapshot();
  const { header, lines } = parse(snap);
  assert.equal(header['v'], 2);
  assert.equal(header['codec'], 'deflate-raw');
  // Two services' specs and annotations, plus the odd task's spec: 5 parts for 41 tasks.
  assert.equal(lines.filter((l) => l.startsWith('{"p":')).length, 5);
  assert.ok(snap.byteLength < store.snapshot(1).byteLength / 4, 'much smaller than format 1');

  const copy = createLocalStore();
  copy.restore(store.appliedIndex, snap);
  assert.equal(copy.hash(), store.hash());
  assert.deepEqual(copy.snapshot(), snap, 'a round trip is byte-identical');
  const [a, b, odd] = copy.view((tx) => [
    tx.get('tasks', 't0')!,
    tx.get('tasks', 't2')!,
    tx.get('tasks', 'odd')!,
  ]);
  assert.equal(a.spec, b.spec, 'restored tasks of one service share one spec');
  assert.equal(a.serviceAnnotations, b.serviceAnnotations);
  assert.notEqual(odd.spec, a.spec);
  assert.equal(odd.spec.containerSpec?.image, 'redis:7');
  assert.throws(() => {
    (a.spec as { forceUpdate: number }).forceUpdate = 1;
  }, TypeError);
});

test('a format 1 snapshot is still read', async () => {
  const store = await filled();
  const v1 = store.snapshot(1);
  assert.ok(Buffer.from(v1).toString('utf8').startsWith('{"v":1,'));
  const copy = createLocalStore();
  copy.restore(store.appliedIndex, v1);
  assert.equal(copy.hash(), store.hash());
  assert.deepEqual(copy.snapshot(), store.snapshot());
});

test('a damaged or hostile format 2 snapshot is refused whole', async () => {
  const source = await filled();
  const snap = source.snapshot();
  const { header, lines } = parse(snap);
  const target = createLocalStore();
  await target.update((tx) => tx.create('nodes', newNode('keep', 'worker')));
  const firstTask = lines.findIndex((l) => l.startsWith('{"t":"tasks"'));
  const task = JSON.parse(lines[firstTask]!) as { t: string; r: string[]; o: Record<string, unknown> };
  const withTask = (record: unknown): string[] => [...lines, JSON.stringify(record)];

  refused(target, snap.subarray(0, snap.length - 10), 'truncated body', /inflate/);
  refused(target, snap.subarray(0, snap.indexOf(0x0a) + 1), 'no body at all', /inflate/);
  refused(target, build({ ...header, codec: 'zstd' }, lines), 'an unknown codec', /codec/);
  refused(target, build(header, lines, 10), 'a body larger than stated', /past/);
  refused(target, build(header, lines, 10_000_000), 'a body smaller than stated', /not the header/);
  refused(
    target,
    build(header, lines, MAX_SNAPSHOT_BYTES + 1),
    'a stated size over the bound',
    /header bytes/,
  );
  refused(target, build({ ...header, index: -1 }, lines), 'a bad index', /index/);
  refused(target, Buffer.from(`{"v":2,"index":1${' '.repeat(2000)}}\n`), 'a header too long', /header/);

  // A bomb: 64 MiB of zeros deflates to about 64 KiB; stated as 1 KiB it stops at 1 KiB.
  const bomb = Buffer.concat([
    Buffer.from(`${JSON.stringify({ ...header, bytes: 1024 })}\n`),
    deflateRawSync(Buffer.alloc(64 * 2 ** 20), { level: 9 }),
  ]);
  assert.ok(bomb.length < 100_000);
  refused(target, bomb, 'a decompression bomb', /past/);

  refused(
    target,
    build(header, withTask({ ...task, o: { ...task.o, id: 'x1', spec: 99 } })),
    'a missing part',
    /part 99/,
  );
  refused(
    target,
    build(header, withTask({ ...task, o: { ...task.o, id: 'x2', spec: -1 } })),
    'a negative part',
    /part -1/,
  );
  refused(
    target,
    build(header, withTask({ ...task, o: { ...task.o, id: 'x3', spec: 'a' } })),
    'a part by name',
    /part a/,
  );
  refused(
    target,
    build(header, withTask({ ...task, r: ['nope'] })),
    'a reference to no field',
    /not a field/,
  );
  refused(
    target,
    build(header, withTask({ ...task, r: ['spec', 'spec'] })),
    'a field named twice',
    /not a field/,
  );
  refused(target, build(header, withTask({ ...task, r: [] })), 'an empty r', /r must list/);
  refused(target, build(header, withTask({ ...task, r: 'spec' })), 'r not a list', /r must list/);
  refused(
    target,
    build(header, withTask({ ...task, r: ['__proto__'], o: JSON.parse('{"__proto__":0}') as unknown })),
    'a reference through __proto__',
    /not a field/,
  );
  refused(
    target,
    build(header, [`{"p":0,"v":{}}`, `{"p":0,"v":{}}`, ...lines.slice(2)]),
    'parts out of order',
    /not part 1/,
  );
  // A part used before it is defined (the task line moved before the parts).
  refused(target, build(header, [lines[firstTask]!, ...lines]), 'a part used before its line', /not defined/);
  refused(
    target,
    build(header, [...lines, '{"t":"tasks","o":{},"x":1}']),
    'an unknown record field',
    /record/,
  );
  refused(target, build(header, [...lines, 'not json']), 'a line that is not JSON', /JSON/);
  assert.ok(target.view((tx) => tx.get('nodes', 'keep')) !== undefined);
});

test('a part nested too deep skips the objects that hold it, alike on every member', async () => {
  const source = await filled();
  const { header, lines } = parse(source.snapshot());
  let deep: unknown = 1;
  for (let i = 0; i < 40; i++) deep = [deep];
  const firstPart = lines.findIndex((l) => l.startsWith('{"p":0,'));
  const part0 = JSON.parse(lines[firstPart]!) as { v: Record<string, unknown> };
  const variant = [...lines];
  variant[firstPart] = JSON.stringify({ p: 0, v: { ...part0.v, deep } });
  const data = build(header, variant);
  const a = createLocalStore();
  const b = createLocalStore();
  a.restore(source.appliedIndex, data);
  b.restore(source.appliedIndex, data);
  assert.equal(a.hash(), b.hash());
  const users = lines.filter((l) => /^\{"t":"tasks","r":\["spec"/.test(l) && l.includes('"spec":0')).length;
  assert.ok(users > 0);
  assert.equal(
    a.view((tx) => tx.count('tasks')),
    source.view((tx) => tx.count('tasks')) - users,
  );
});
