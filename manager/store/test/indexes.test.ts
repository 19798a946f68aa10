// Secondary indexes after creates, updates and deletes: tables of cases, then a seeded random
// workload checked against a brute-force scan after every transaction.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createLocalStore } from '../local-proposer.js';
import type { MemoryStore } from '../store.js';
import { serviceNodeKey, serviceSlotKey, type IndexName } from '../indexes.js';
import type { Node, Task, TaskState } from '../../../api/objects/index.js';
import { newNode, newService, newTask, seeded } from './fixtures.js';

function ids(objects: readonly { id: string }[]): string[] {
  return objects.map((o) => o.id).sort();
}

async function seedTasks(store: MemoryStore): Promise<void> {
  await store.update((tx) => {
    tx.create('tasks', newTask('a1', 'svcA', 1, 'n1'));
    tx.create('tasks', newTask('a2', 'svcA', 2, 'n2'));
    tx.create('tasks', newTask('a2old', 'svcA', 2, 'n1', 'shutdown'));
    tx.create('tasks', newTask('b0', 'svcB', 0, 'n1'));
    tx.create('tasks', newTask('b0n2', 'svcB', 0, 'n2'));
    tx.create('tasks', newTask('c1', 'svcC', 1));
  });
}

interface TaskCase {
  readonly name: string;
  readonly change: (store: MemoryStore) => Promise<void>;
  readonly expect: readonly [IndexName<'tasks'>, string, string[]][];
}

const taskCases: TaskCase[] = [
  {
    name: 'after create',
    change: async () => {},
    expect: [
      ['serviceId', 'svcA', ['a1', 'a2', 'a2old']],
      ['serviceId', 'svcC', ['c1']],
      ['nodeId', 'n1', ['a1', 'a2old', 'b0']],
      ['nodeId', 'n2', ['a2', 'b0n2']],
      ['serviceSlot', serviceSlotKey('svcA', 2), ['a2', 'a2old']],
      ['serviceSlot', serviceSlotKey('svcB', 0), ['b0', 'b0n2']],
      ['serviceNode', serviceNodeKey('svcB', 'n2'), ['b0n2']],
      ['desiredState', 'running', ['a1', 'a2', 'b0', 'b0n2', 'c1']],
      ['desiredState', 'shutdown', ['a2old']],
      ['serviceId', 'nope', []],
    ],
  },
  {
    name: 'after assigning an unassigned task',
    change: async (store) => {
      await store.update((tx) => {
        const c1 = tx.get('tasks', 'c1')!;
        tx.update('tasks', { ...c1, nodeId: 'n3' });
      });
    },
    expect: [
      ['nodeId', 'n3', ['c1']],
      ['serviceNode', serviceNodeKey('svcC', 'n3'), ['c1']],
      ['serviceId', 'svcC', ['c1']],
    ],
  },
  {
    name: 'after moving a task to another node and shutting it down',
    change: async (store) => {
      await store.update((tx) => {
        const a1 = tx.get('tasks', 'a1')!;
        tx.update('tasks', { ...a1, nodeId: 'n2', desiredState: 'shutdown' });
      });
    },
    expect: [
      ['nodeId', 'n1', ['a2old', 'b0']],
      ['nodeId', 'n2', ['a1', 'a2', 'b0n2']],
      ['desiredState', 'shutdown', ['a1', 'a2old']],
      ['desiredState', 'running', ['a2', 'b0', 'b0n2', 'c1']],
      ['serviceSlot', serviceSlotKey('svcA', 1), ['a1']],
    ],
  },
  {
    name: 'after unassigning a task',
    change: async (store) => {
      await store.update((tx) => {
        const unassigned = { ...tx.get('tasks', 'b0')! };
        delete unassigned.nodeId;
        tx.update('tasks', unassigned);
      });
    },
    expect: [
      ['nodeId', 'n1', ['a1', 'a2old']],
      ['serviceNode', serviceNodeKey('svcB', 'n1'), []],
      ['serviceSlot', serviceSlotKey('svcB', 0), ['b0', 'b0n2']],
    ],
  },
  {
    name: 'after delete',
    change: async (store) => {
      await store.update((tx) => {
        tx.delete('tasks', 'a2old');
        tx.delete('tasks', 'b0n2');
      });
    },
    expect: [
      ['serviceId', 'svcA', ['a1', 'a2']],
      ['serviceSlot', serviceSlotKey('svcA', 2), ['a2']],
      ['nodeId', 'n2', ['a2']],
      ['desiredState', 'shutdown', []],
      ['serviceNode', serviceNodeKey('svcB', 'n2'), []],
    ],
  },
];

for (const c of taskCases) {
  test(`task indexes ${c.name}`, async () => {
    const store = createLocalStore();
    await seedTasks(store);
    await c.change(store);
    store.view((tx) => {
      for (const [index, key, want] of c.expect) {
        assert.deepEqual(ids(tx.find('tasks', index, key)), want, `${index}=${key}`);
        assert.equal(tx.count('tasks', index, key), want.length, `count ${index}=${key}`);
      }
    });
  });
}

test('node indexes by role and availability follow updates and deletes', async () => {
  const store = createLocalStore();
  await store.update((tx) => {
    tx.create('nodes', newNode('m1', 'manager'));
    tx.create('nodes', newNode('w1', 'worker'));
    tx.create('nodes', newNode('w2', 'worker', 'drain'));
  });
  const check = (want: Record<string, string[]>): void =>
    store.view((tx) => {
      for (const [key, expected] of Object.entries(want)) {
        const [index, value] = key.split('=') as [IndexName<'nodes'>, string];
        assert.deepEqual(ids(tx.find('nodes', index, value)), expected, key);
      }
    });
  check({ 'role=manager': ['m1'], 'role=worker': ['w1', 'w2'], 'availability=active': ['m1', 'w1'] });
  await store.update((tx) => {
    const w1 = tx.get('nodes', 'w1')!;
    // Promotion: the spec asks for it, the role index follows the role the node has.
    tx.update('nodes', { ...w1, spec: { ...w1.spec, role: 'manager', availability: 'pause' } });
  });
  check({ 'role=manager': ['m1'], 'availability=pause': ['w1'], 'availability=active': ['m1'] });
  await store.update((tx) => {
    const w1: Node = tx.get('nodes', 'w1')!;
    tx.update('nodes', { ...w1, role: 'manager' });
    tx.delete('nodes', 'w2');
  });
  check({ 'role=manager': ['m1', 'w1'], 'role=worker': [], 'availability=drain': [] });
});

test('name indexes are unique, case-insensitive, and follow renames', async () => {
  const store = createLocalStore();
  await store.update((tx) => tx.create('services', newService('s1', 'Web')));
  assert.equal(
    store.view((tx) => tx.getByName('services', 'web')?.id),
    's1',
  );
  assert.equal(
    store.view((tx) => tx.getByName('services', 'WEB')?.id),
    's1',
  );
  await store.update((tx) => {
    const s1 = tx.get('services', 's1')!;
    tx.update('services', { ...s1, spec: { ...s1.spec, name: 'api' } });
  });
  assert.equal(
    store.view((tx) => tx.getByName('services', 'web')),
    undefined,
  );
  assert.equal(
    store.view((tx) => tx.getByName('services', 'api')?.id),
    's1',
  );
  await store.update((tx) => tx.create('services', newService('s2', 'web')));
  assert.equal(
    store.view((tx) => tx.getByName('services', 'Web')?.id),
    's2',
  );
});

const STATES: TaskState[] = ['running', 'shutdown', 'complete'];

function scan(tasks: readonly Task[], index: IndexName<'tasks'>, key: string): string[] {
  const keyOf: Record<IndexName<'tasks'>, (t: Task) => string | undefined> = {
    serviceId: (t) => t.serviceId,
    nodeId: (t) => t.nodeId,
    serviceSlot: (t) => serviceSlotKey(t.serviceId, t.slot),
    serviceNode: (t) => (t.nodeId === undefined ? undefined : serviceNodeKey(t.serviceId, t.nodeId)),
    desiredState: (t) => t.desiredState,
  };
  return ids(tasks.filter((t) => keyOf[index](t) === key));
}

test('indexes match a full scan after every transaction of a random workload', async () => {
  const rand = seeded(42);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!;
  const services = ['s1', 's2', 's3'];
  const nodes = ['n1', 'n2', 'n3', undefined];
  const store = createLocalStore();
  let next = 0;
  for (let round = 0; round < 300; round++) {
    await store.update((tx) => {
      const ops = 1 + Math.floor(rand() * 5);
      for (let i = 0; i < ops; i++) {
        const existing = tx.list('tasks');
        const r = rand();
        if (r < 0.4 || existing.length === 0) {
          tx.create(
            'tasks',
            newTask(`t${next++}`, pick(services), Math.floor(rand() * 4), pick(nodes), pick(STATES)),
          );
        } else if (r < 0.8) {
          const t = pick(existing);
          const nodeId = pick(nodes);
          const rest = { ...t };
          delete rest.nodeId;
          tx.update('tasks', {
            ...rest,
            ...(nodeId === undefined ? {} : { nodeId }),
            desiredState: pick(STATES),
            slot: rand() < 0.2 ? Math.floor(rand() * 4) : t.slot,
          });
        } else {
          tx.delete('tasks', pick(existing).id);
        }
      }
    });
    store.view((tx) => {
      const all = tx.list('tasks');
      for (const s of services) {
        assert.deepEqual(ids(tx.find('tasks', 'serviceId', s)), scan(all, 'serviceId', s));
        for (let slot = 0; slot < 4; slot++) {
          const key = serviceSlotKey(s, slot);
          assert.deepEqual(ids(tx.find('tasks', 'serviceSlot', key)), scan(all, 'serviceSlot', key));
        }
        for (const n of ['n1', 'n2', 'n3']) {
          const key = serviceNodeKey(s, n);
          assert.deepEqual(ids(tx.find('tasks', 'serviceNode', key)), scan(all, 'serviceNode', key));
        }
      }
      for (const n of ['n1', 'n2', 'n3']) {
        assert.deepEqual(ids(tx.find('tasks', 'nodeId', n)), scan(all, 'nodeId', n));
      }
      for (const st of STATES) {
        assert.deepEqual(ids(tx.find('tasks', 'desiredState', st)), scan(all, 'desiredState', st));
      }
    });
  }
  assert.ok(store.view((tx) => tx.count('tasks')) > 10, 'the workload kept some tasks');
});
