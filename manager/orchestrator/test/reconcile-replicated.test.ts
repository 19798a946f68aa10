// Decision table for the replicated orchestrator's pure reconcile.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Task } from '../../../api/objects/index.js';
import { reconcileReplicated } from '../replicated/reconcile.js';
import { service, task, type TaskShape } from '../../test/objects.js';

interface Case {
  readonly name: string;
  readonly replicas: number;
  readonly tasks: readonly TaskShape[];
  /** Default: a stopped task may restart. */
  readonly mayRestart?: (t: Task) => boolean;
  readonly rollback?: boolean;
  readonly create: number[];
  /** Slots of the tasks removed. */
  readonly remove: number[];
  readonly update: boolean;
}

const cases: Case[] = [
  {
    name: 'new service creates every slot',
    replicas: 3,
    tasks: [],
    create: [1, 2, 3],
    remove: [],
    update: false,
  },
  {
    name: 'converged service does nothing',
    replicas: 2,
    tasks: [{ slot: 1 }, { slot: 2 }],
    create: [],
    remove: [],
    update: false,
  },
  {
    name: 'scale up fills the lowest missing slots',
    replicas: 4,
    tasks: [{ slot: 1 }, { slot: 3 }],
    create: [2, 4],
    remove: [],
    update: false,
  },
  {
    name: 'scale down removes the highest slots',
    replicas: 1,
    tasks: [{ slot: 1 }, { slot: 2 }, { slot: 3 }],
    create: [],
    remove: [3, 2],
    update: false,
  },
  {
    name: 'tasks being removed free their slot',
    replicas: 2,
    tasks: [{ slot: 1 }, { slot: 2, desired: 'remove', state: 'shutdown' }],
    create: [2],
    remove: [],
    update: false,
  },
  {
    name: 'a failed task that may restart leaves its slot empty',
    replicas: 1,
    tasks: [{ slot: 1, desired: 'shutdown', state: 'failed' }],
    create: [1],
    remove: [],
    update: false,
  },
  {
    name: 'a failed task that may not restart keeps its slot',
    replicas: 1,
    tasks: [{ slot: 1, desired: 'shutdown', state: 'failed' }],
    mayRestart: () => false,
    create: [],
    remove: [],
    update: false,
  },
  {
    name: 'a task the system shut down (drain, update) never keeps its slot',
    replicas: 1,
    tasks: [{ slot: 1, desired: 'shutdown', state: 'shutdown' }],
    mayRestart: () => false,
    create: [1],
    remove: [],
    update: false,
  },
  {
    name: 'during a rollback a stopped slot is always refilled',
    replicas: 1,
    tasks: [{ slot: 1, desired: 'shutdown', state: 'failed' }],
    mayRestart: () => false,
    rollback: true,
    create: [1],
    remove: [],
    update: false,
  },
  {
    name: 'a replacement waiting in ready occupies its slot',
    replicas: 1,
    tasks: [
      { slot: 1, desired: 'shutdown', state: 'failed' },
      { slot: 1, desired: 'ready', state: 'ready' },
    ],
    create: [],
    remove: [],
    update: false,
  },
  {
    name: 'an old spec in a kept slot asks for an update',
    replicas: 2,
    tasks: [{ slot: 1 }, { slot: 2, image: 'nginx:1.24' }],
    create: [],
    remove: [],
    update: true,
  },
  {
    name: 'an old spec only in a removed slot does not',
    replicas: 1,
    tasks: [{ slot: 1 }, { slot: 2, image: 'nginx:1.24' }],
    create: [],
    remove: [2],
    update: false,
  },
  {
    name: 'two tasks wanting to run in one slot ask for an update (cleanup)',
    replicas: 1,
    tasks: [{ slot: 1 }, { slot: 1, state: 'new' }],
    create: [],
    remove: [],
    update: true,
  },
  {
    name: 'scale to zero removes everything',
    replicas: 0,
    tasks: [{ slot: 1 }, { slot: 2, state: 'pending' }],
    create: [],
    remove: [2, 1],
    update: false,
  },
];

for (const c of cases) {
  test(`reconcileReplicated: ${c.name}`, () => {
    const svc = service('web', { kind: 'replicated', replicas: c.replicas }, (s) => {
      if (c.rollback === true) s.updateStatus = { state: 'rollback_started', message: 'rolling back' };
    });
    const tasks = c.tasks.map((shape, i) => task(`t${i}`, svc, shape));
    const plan = reconcileReplicated({ service: svc, tasks, mayRestart: c.mayRestart ?? (() => true) });
    assert.deepEqual(plan.create, c.create);
    assert.deepEqual(
      plan.remove.map((t) => t.slot),
      c.remove,
    );
    assert.equal(plan.update, c.update);
  });
}

test('reconcileReplicated refuses a service of another mode', () => {
  assert.throws(
    () =>
      reconcileReplicated({ service: service('g', { kind: 'global' }), tasks: [], mayRestart: () => true }),
    RangeError,
  );
});
