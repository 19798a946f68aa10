// Snapshots, restore and the store hash: replicas fed the same commands are identical, and a
// replica restored from a mid-sequence snapshot plus the rest of the log ends identical too.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createLocalStore, LocalProposer } from '../local-proposer.js';
import { MalformedSnapshotError, StoreInvariantError } from '../errors.js';
import { MemoryStore } from '../store.js';
import { serviceSlotKey } from '../indexes.js';
import type { NodeAvailability, TaskState } from '../../../api/objects/index.js';
import {
  newCluster,
  newConfig,
  newNetwork,
  newNode,
  newSecret,
  newService,
  newTask,
  replicated,
  seeded,
} from './fixtures.js';

/** A seeded mixed workload through `store.update`, including writes that get refused. */
async function workload(store: MemoryStore, seed: number, rounds: number): Promise<void> {
  const rand = seeded(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!;
  await store.update((tx) => {
    tx.create('clusters', newCluster('c1'));
    tx.create('networks', newNetwork('net1', 'ingress'));
    tx.create('secrets', newSecret('sec1', 'db-password'));
    tx.create('configs', newConfig('cfg1', 'nginx.conf'));
    for (let i = 0; i < 4; i++) tx.create('nodes', newNode(`n${i}`, i === 0 ? 'manager' : 'worker'));
  });
  let next = 0;
  for (let round = 0; round < rounds; round++) {
    const r = rand();
    try {
      await store.update((tx) => {
        if (r < 0.15) {
          const id = `s${next++}`;
          tx.create('services', newService(id, pick(['web', 'api', 'db', 'cache', id])));
        } else if (r < 0.5) {
          const svc = tx.list('services');
          if (svc.length === 0) return;
          const s = pick(svc);
          for (let k = 0; k < 1 + Math.floor(rand() * 3); k++) {
            tx.create(
              'tasks',
              newTask(`t${next++}`, s.id, 1 + Math.floor(rand() * 3), pick(['n0', 'n1', 'n2', 'n3'])),
            );
          }
        } else if (r < 0.8) {
          const tasks = tx.list('tasks');
          if (tasks.length === 0) return;
          const t = pick(tasks);
          const state: TaskState = pick(['running', 'failed', 'shutdown']);
          tx.update('tasks', { ...t, status: { ...t.status, state, message: state } });
        } else if (r < 0.9) {
          const tasks = tx.list('tasks');
          if (tasks.length > 0) tx.delete('tasks', pick(tasks).id);
        } else {
          const n = tx.get('nodes', pick(['n1', 'n2', 'n3']))!;
          const availability: NodeAvailability = pick(['active', 'pause', 'drain']);
          tx.update('nodes', { ...n, spec: { ...n.spec, availability } });
        }
      });
    } catch (e: unknown) {
      if (!(e instanceof Error && 'code' in e && e.code === 'NAME_CONFLICT')) throw e;
    }
  }
}

test('snapshot then restore gives an equal hash, equal objects and working indexes', async () => {
  const store = createLocalStore();
  await workload(store, 1, 200);
  const copy = createLocalStore();
  copy.restore(store.appliedIndex, store.snapshot());
  assert.equal(copy.hash(), store.hash());
  assert.equal(copy.appliedIndex, store.appliedIndex);
  for (const table of ['tasks', 'services', 'nodes'] as const) {
    const want = store.view((tx) => tx.list(table)).sort((a, b) => a.id.localeCompare(b.id));
    const got = copy.view((tx) => tx.list(table)).sort((a, b) => a.id.localeCompare(b.id));
    assert.deepEqual(got, want);
  }
  const svc = store.view((tx) => tx.list('services')[0]!);
  const byService = (s: MemoryStore): string[] =>
    s.view((tx) => tx.find('tasks', 'serviceId', svc.id).map((t) => t.id)).sort();
  assert.deepEqual(byService(copy), byService(store));
  assert.deepEqual(
    copy.view((tx) => tx.find('tasks', 'serviceSlot', serviceSlotKey(svc.id, 1)).length),
    store.view((tx) => tx.find('tasks', 'serviceSlot', serviceSlotKey(svc.id, 1)).length),
  );
  assert.equal(
    copy.view((tx) => tx.getByName('services', svc.spec.name)?.id),
    svc.id,
  );
  // Restored objects are frozen like applied ones.
  assert.throws(() => {
    copy.view((tx) => tx.get('services', svc.id))!.pendingDelete = true;
  }, TypeError);
  // A round trip of the snapshot is byte-identical.
  assert.deepEqual(copy.snapshot(), store.snapshot());
});

test('writes continue after a restore, at the next index', async () => {
  const source = createLocalStore();
  await workload(source, 2, 50);
  const proposer = new LocalProposer();
  const store = new MemoryStore(proposer);
  proposer.attach(store);
  store.restore(source.appliedIndex + 10, source.snapshot());
  await store.update((tx) => tx.create('services', newService('fresh', 'fresh')));
  assert.equal(
    store.view((tx) => tx.get('services', 'fresh')?.meta.version),
    source.appliedIndex + 11,
  );
});

test('replicas fed the same command sequence end with equal hashes', async () => {
  const { leader, followers, proposer } = replicated(2);
  await workload(leader, 3, 400);
  assert.ok(proposer.log.length > 300);
  for (const f of followers) {
    assert.equal(f.appliedIndex, leader.appliedIndex);
    assert.equal(f.hash(), leader.hash());
  }
  // A late replica replaying the recorded log matches too.
  const late = createLocalStore();
  for (const { index, command } of proposer.log) late.apply(index, command);
  assert.equal(late.hash(), leader.hash());
});

test('restore from a mid-sequence snapshot plus the remaining log equals applying everything', async () => {
  const { leader, proposer } = replicated();
  await workload(leader, 4, 400);
  const log = proposer.log;
  for (const cut of [0, 1, Math.floor(log.length / 3), Math.floor(log.length / 2), log.length - 1]) {
    const full = createLocalStore();
    let snapshot: Uint8Array | undefined;
    let snapIndex = 0;
    for (const [i, { index, command }] of log.entries()) {
      full.apply(index, command);
      if (i + 1 === cut) {
        snapshot = full.snapshot();
        snapIndex = index;
      }
    }
    const restored = createLocalStore();
    if (snapshot !== undefined) restored.restore(snapIndex, snapshot);
    for (const { index, command } of log.slice(cut)) restored.apply(index, command);
    assert.equal(restored.hash(), full.hash(), `cut at ${cut}`);
    assert.equal(full.hash(), leader.hash());
  }
});

test('restore tells watchers what changed, then commits at the snapshot index', async () => {
  const a = createLocalStore();
  await a.update((tx) => {
    tx.create('tasks', newTask('keep', 's1', 1));
    tx.create('tasks', newTask('change', 's1', 2));
    tx.create('tasks', newTask('drop', 's1', 3));
  });
  const b = createLocalStore();
  b.restore(a.appliedIndex, a.snapshot());
  await a.update((tx) => {
    tx.update('tasks', { ...tx.get('tasks', 'change')!, desiredState: 'shutdown' });
    tx.delete('tasks', 'drop');
    tx.create('tasks', newTask('new', 's1', 4));
  });
  const watcher = b.watch();
  b.restore(a.appliedIndex, a.snapshot());
  const events = watcher
    .drain()
    .map((e) => (e.action === 'commit' ? `commit@${e.index}` : `${e.action} ${e.object.id}`));
  assert.deepEqual([...events].sort(), ['commit@2', 'create new', 'delete drop', 'update change'].sort());
  assert.equal(events.at(-1), 'commit@2');
  assert.equal(b.hash(), a.hash());
});

test('a damaged snapshot is refused and the store keeps its state', async () => {
  const store = createLocalStore();
  await workload(store, 5, 30);
  const hash = store.hash();
  const good = Buffer.from(store.snapshot(1)).toString('utf8');
  const lines = good.trimEnd().split('\n');
  const bad: [string, string][] = [
    ['empty', ''],
    ['garbage', 'hello\n'],
    ['no header', lines.slice(1).join('\n')],
    ['a future version', good.replace('{"v":1,', '{"v":9,')],
    ['a truncated line', good.slice(0, good.length - 20)],
    ['a line that is not a record', `${lines[0]}\n[1,2]\n`],
    ['a line without an object', `${lines[0]}\n{"t":"tasks"}\n`],
  ];
  for (const [name, text] of bad) {
    assert.throws(
      () => store.restore(store.appliedIndex, Buffer.from(text)),
      (e: unknown) => e instanceof MalformedSnapshotError && e.code === 'MALFORMED_SNAPSHOT',
      name,
    );
    assert.equal(store.hash(), hash, name);
  }
  assert.throws(() => store.restore(store.appliedIndex - 1, Buffer.from(good)), StoreInvariantError);
});

test('an object this version refuses is skipped: the rest of the snapshot is restored, alike on every member', async () => {
  const source = createLocalStore();
  await workload(source, 5, 30);
  const good = Buffer.from(source.snapshot(1)).toString('utf8');
  const lines = good.trimEnd().split('\n');
  const header = lines[0]!;
  const taskLine = lines.findIndex((l) => l.startsWith('{"t":"tasks"'));
  assert.ok(taskLine > 0);
  const task = JSON.parse(lines[taskLine]!) as { o: Record<string, unknown> };
  const withoutTask = [...lines.slice(0, taskLine), ...lines.slice(taskLine + 1)];
  const deep: unknown = [];
  let cursor = deep as unknown[];
  for (let i = 0; i < 40; i++) cursor.push((cursor = []));
  const variants: [string, string[]][] = [
    [
      'a task of the wrong shape',
      [...withoutTask, JSON.stringify({ t: 'tasks', o: { ...task.o, slot: -1 } })],
    ],
    ['an unknown table', [...lines, '{"t":"volumes","o":{"id":"v1"}}']],
    ['a duplicate object', [...lines, lines[taskLine]!]],
    [
      'a version past the header',
      [
        ...withoutTask,
        JSON.stringify({
          t: 'tasks',
          o: { ...task.o, meta: { ...(task.o['meta'] as object), version: 1e9 } },
        }),
      ],
    ],
    ['an object nested too deep', [...withoutTask, JSON.stringify({ t: 'tasks', o: { ...task.o, deep } })]],
  ];
  for (const [name, variant] of variants) {
    const text = `${variant.join('\n')}\n`;
    const a = createLocalStore();
    const b = createLocalStore();
    a.restore(source.appliedIndex, Buffer.from(text));
    b.restore(source.appliedIndex, Buffer.from(text));
    assert.equal(a.hash(), b.hash(), `${name}: members agree`);
    const expected = name === 'a duplicate object' || name === 'an unknown table' ? lines : withoutTask;
    const reference = createLocalStore();
    reference.restore(source.appliedIndex, Buffer.from(`${expected.join('\n')}\n`));
    assert.equal(a.hash(), reference.hash(), `${name}: everything else restored`);
    assert.equal(a.appliedIndex, source.appliedIndex, name);
    // The store goes on taking writes after such a restore.
    await a.update((tx) => tx.create('nodes', newNode('after-restore', 'worker')));
    assert.ok(a.view((tx) => tx.get('nodes', 'after-restore')) !== undefined, name);
  }
  assert.equal(header, lines[0]);
});

test('the hash covers content: any change to any object changes it', async () => {
  const a = createLocalStore();
  await workload(a, 6, 50);
  const before = a.hash();
  assert.match(before, /^[0-9a-f]{64}$/);
  const t = a.view((tx) => tx.list('tasks')[0]!);
  await a.update((tx) => tx.update('tasks', { ...t, status: { ...t.status, message: 'different' } }));
  assert.notEqual(a.hash(), before);
  assert.notEqual(createLocalStore().hash(), before);
});
