import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createLocalStore, type MemoryStore } from '../../store/index.js';
import type { Task, TaskState } from '../../../api/objects/index.js';
import { newConfig, newSecret, newTask } from '../../store/test/fixtures.js';
import { equivalentTask, NodeAssignments } from '../assignment-set.js';

function task(
  id: string,
  nodeId: string | undefined,
  state: TaskState,
  secretId?: string,
): ReturnType<typeof newTask> {
  const t = newTask(id, 's1', 1, nodeId);
  const withState = { ...t, status: { ...t.status, state } };
  if (secretId === undefined) return withState;
  return {
    ...withState,
    spec: {
      ...t.spec,
      containerSpec: {
        ...t.spec.containerSpec,
        secrets: [
          { secretId, secretName: secretId, file: { name: secretId, uid: '0', gid: '0', mode: 0o444 } },
        ],
        configs: [
          { configId: 'c1', configName: 'c1', file: { name: 'c1', uid: '0', gid: '0', mode: 0o444 } },
        ],
      },
    },
  };
}

async function seeded(): Promise<MemoryStore> {
  const store = createLocalStore();
  await store.update((tx) => {
    tx.create('secrets', newSecret('sec1', 'one'));
    tx.create('secrets', newSecret('sec2', 'two'));
    tx.create('configs', newConfig('c1', 'conf'));
    tx.create('tasks', task('running', 'n1', 'running', 'sec1'));
    tx.create('tasks', task('done', 'n1', 'complete', 'sec2'));
    tx.create('tasks', task('pending', 'n1', 'pending'));
    tx.create('tasks', task('other', 'n2', 'running'));
    tx.create('tasks', task('unassigned', undefined, 'pending'));
  });
  return store;
}

const ids = (tasks: readonly Task[]): string[] => tasks.map((t) => t.id).sort();

test("the full set holds the node's committed tasks and the dependencies of those that may run", async () => {
  const store = await seeded();
  const a = new NodeAssignments('n1');
  const full = store.view((tx) => a.reset(tx, store.appliedIndex));
  assert.equal(full.full, true);
  assert.deepEqual(ids(full.updated), ['done', 'running']);
  assert.deepEqual(
    full.secrets.map((s) => s.id),
    ['sec1'],
  );
  assert.deepEqual(
    full.configs.map((c) => c.id),
    ['c1'],
  );
  assert.equal(full.index, store.appliedIndex);
});

test('status-only changes are not echoed; spec, desired state and scheduler states are sent', async () => {
  const store = await seeded();
  const a = new NodeAssignments('n1');
  store.view((tx) => a.reset(tx, store.appliedIndex));
  const get = (id: string): Task => store.view((tx) => tx.get('tasks', id)) as Task;
  const running = get('running');

  assert.equal(
    a.taskChanged({ ...running, status: { ...running.status, message: 'still running' } }, 10),
    false,
  );
  assert.equal(
    store.view((tx) => a.take(tx)),
    undefined,
  );

  assert.equal(a.taskChanged({ ...running, desiredState: 'shutdown' }, 11), true);
  const pending = get('pending');
  assert.equal(a.taskChanged({ ...pending, status: { ...pending.status, state: 'assigned' } }, 11), true);
  const batch = store.view((tx) => a.take(tx));
  assert.equal(batch?.full, false);
  assert.deepEqual(ids(batch?.updated ?? []), ['pending', 'running']);
  assert.deepEqual(
    batch?.secrets.map((s) => s.id),
    ['sec1'],
  );
  assert.equal(batch?.index, 11);
  assert.equal(
    store.view((tx) => a.take(tx)),
    undefined,
  );
});

test('deleted tasks and tasks unknown to the set', async () => {
  const store = await seeded();
  const a = new NodeAssignments('n1');
  store.view((tx) => a.reset(tx, store.appliedIndex));
  assert.equal(a.taskRemoved('running', 20), true);
  assert.equal(a.taskRemoved('never-sent', 20), false);
  const batch = store.view((tx) => a.take(tx));
  assert.deepEqual(batch?.removed, ['running']);
  assert.deepEqual(batch?.updated, []);
});

test("changes at or below the full set's index are already in it", async () => {
  const store = await seeded();
  const a = new NodeAssignments('n1');
  store.view((tx) => a.reset(tx, store.appliedIndex));
  const t = store.view((tx) => tx.get('tasks', 'running')) as Task;
  assert.equal(a.taskChanged({ ...t, desiredState: 'shutdown' }, store.appliedIndex), false);
  assert.equal(a.taskRemoved('running', store.appliedIndex), false);
});

test('a secret change reaches only sessions whose tasks still need it', async () => {
  const store = await seeded();
  const a = new NodeAssignments('n1');
  store.view((tx) => a.reset(tx, store.appliedIndex));
  const sec1 = store.view((tx) => tx.get('secrets', 'sec1'));
  const sec2 = store.view((tx) => tx.get('secrets', 'sec2'));
  assert.ok(sec1 !== undefined && sec2 !== undefined);
  assert.equal(a.dependencyChanged({ kind: 'secrets', value: sec2 }), false);
  assert.equal(a.dependencyChanged({ kind: 'secrets', value: sec1 }), true);
  assert.deepEqual(
    store.view((tx) => a.take(tx))?.secrets.map((s) => s.id),
    ['sec1'],
  );
});

test('equivalentTask ignores status and meta only', () => {
  const t = { ...newTask('t', 's', 1, 'n'), meta: { version: 1, createdAt: 'x', updatedAt: 'x' } };
  assert.equal(
    equivalentTask(t, { ...t, meta: { ...t.meta, version: 2 }, status: { ...t.status, state: 'running' } }),
    true,
  );
  assert.equal(equivalentTask(t, { ...t, desiredState: 'shutdown' }), false);
  assert.equal(equivalentTask(t, { ...t, spec: { ...t.spec, forceUpdate: 1 } }), false);
});
