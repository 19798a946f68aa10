// Decision tables for the global orchestrator and the jobs (pure reconciles).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Node } from '../../../api/objects/index.js';
import { globalNodeFit } from '../global/node-fit.js';
import { reconcileGlobal } from '../global/reconcile.js';
import { reconcileGlobalJob } from '../jobs/reconcile-global-job.js';
import { reconcileReplicatedJob } from '../jobs/reconcile-replicated-job.js';
import { node, service, task, type TaskShape } from '../../test/objects.js';

const fitCases: { name: string; change: (n: Node) => void; constraints?: string[]; fit: string }[] = [
  { name: 'active and ready', change: () => undefined, fit: 'run' },
  { name: 'state unknown (just joined)', change: (n) => void (n.status.state = 'unknown'), fit: 'run' },
  { name: 'paused', change: (n) => void (n.spec.availability = 'pause'), fit: 'keep' },
  { name: 'disconnected', change: (n) => void (n.status.state = 'disconnected'), fit: 'keep' },
  { name: 'drained', change: (n) => void (n.spec.availability = 'drain'), fit: 'drain' },
  { name: 'down', change: (n) => void (n.status.state = 'down'), fit: 'down' },
  { name: 'constraint holds', change: () => undefined, constraints: ['node.role==worker'], fit: 'run' },
  {
    name: 'constraint fails',
    change: () => undefined,
    constraints: ['node.role==manager'],
    fit: 'constraints',
  },
  { name: 'malformed constraint', change: () => undefined, constraints: ['node.role'], fit: 'constraints' },
];

for (const c of fitCases) {
  test(`globalNodeFit: ${c.name}`, () => {
    const svc = service('g', { kind: 'global' }, (s) => {
      s.spec.taskTemplate.placement.constraints = c.constraints ?? [];
    });
    assert.equal(globalNodeFit(svc, node('n1', c.change)), c.fit);
  });
}

test('globalNodeFit: a removed node', () => {
  assert.equal(globalNodeFit(service('g', { kind: 'global' }), undefined), 'removed');
});

test('globalNodeFit: platforms must match (x86_64 is amd64)', () => {
  const svc = (os: string, architecture: string) =>
    service('g', { kind: 'global' }, (s) => {
      s.spec.taskTemplate.placement.platforms = [{ os, architecture }];
    });
  assert.equal(globalNodeFit(svc('linux', 'amd64'), node('n1')), 'run');
  assert.equal(globalNodeFit(svc('linux', 'arm64'), node('n1')), 'constraints');
  assert.equal(globalNodeFit(svc('windows', ''), node('n1')), 'constraints');
});

interface GlobalCase {
  readonly name: string;
  readonly nodes: Node[];
  readonly tasks: TaskShape[];
  readonly mayRestart?: boolean;
  readonly create: string[];
  readonly stop: [string, string][];
  readonly update: boolean;
}

const drained = node('n2', (n) => void (n.spec.availability = 'drain'));
const globalCases: GlobalCase[] = [
  {
    name: 'one task per node',
    nodes: [node('n1'), node('n2')],
    tasks: [],
    create: ['n1', 'n2'],
    stop: [],
    update: false,
  },
  {
    name: 'nodes with a task are left alone',
    nodes: [node('n1'), node('n2')],
    tasks: [{ slot: 0, nodeId: 'n1' }],
    create: ['n2'],
    stop: [],
    update: false,
  },
  {
    name: 'a drained node loses its task',
    nodes: [node('n1'), drained],
    tasks: [{ slot: 0, nodeId: 'n2' }],
    create: ['n1'],
    stop: [['n2', 'drain']],
    update: false,
  },
  {
    name: 'tasks on nodes that are gone are stopped',
    nodes: [node('n1')],
    tasks: [
      { slot: 0, nodeId: 'n1' },
      { slot: 0, nodeId: 'n9' },
    ],
    create: [],
    stop: [['n9', 'removed']],
    update: false,
  },
  {
    name: 'a paused node keeps its task but gets none',
    nodes: [
      node('n1', (n) => void (n.spec.availability = 'pause')),
      node('n2', (n) => void (n.spec.availability = 'pause')),
    ],
    tasks: [{ slot: 0, nodeId: 'n1' }],
    create: [],
    stop: [],
    update: false,
  },
  {
    name: 'a node whose task failed for good gets nothing',
    nodes: [node('n1')],
    tasks: [{ slot: 0, nodeId: 'n1', desired: 'shutdown', state: 'failed' }],
    mayRestart: false,
    create: [],
    stop: [],
    update: false,
  },
  {
    name: 'an old spec asks for an update',
    nodes: [node('n1')],
    tasks: [{ slot: 0, nodeId: 'n1', image: 'old:1' }],
    create: [],
    stop: [],
    update: true,
  },
];

for (const c of globalCases) {
  test(`reconcileGlobal: ${c.name}`, () => {
    const svc = service('g', { kind: 'global' });
    const plan = reconcileGlobal({
      service: svc,
      nodes: c.nodes,
      tasks: c.tasks.map((shape, i) => task(`t${i}`, svc, shape)),
      mayRestart: () => c.mayRestart ?? true,
    });
    assert.deepEqual(plan.create, c.create);
    assert.deepEqual(
      plan.stop.map((s) => [s.task.nodeId, s.fit]),
      c.stop,
    );
    assert.equal(plan.update, c.update);
  });
}

interface JobCase {
  readonly name: string;
  readonly maxConcurrent: number;
  readonly total: number;
  readonly iteration?: number;
  readonly tasks: TaskShape[];
  readonly mayRestart?: boolean;
  readonly create: number[];
  readonly stop: number;
  readonly completed: number;
}

const jobCases: JobCase[] = [
  {
    name: 'starts maxConcurrent tasks',
    maxConcurrent: 2,
    total: 5,
    tasks: [],
    create: [0, 1],
    stop: 0,
    completed: 0,
  },
  {
    name: 'maxConcurrent 0 runs all at once',
    maxConcurrent: 0,
    total: 3,
    tasks: [],
    create: [0, 1, 2],
    stop: 0,
    completed: 0,
  },
  {
    name: 'completed slots are never run again; free slots fill up to maxConcurrent',
    maxConcurrent: 2,
    total: 4,
    tasks: [
      { slot: 0, desired: 'complete', state: 'complete', iteration: 0 },
      { slot: 1, desired: 'complete', state: 'running', iteration: 0 },
    ],
    create: [2],
    stop: 0,
    completed: 1,
  },
  {
    name: 'all complete: nothing to do',
    maxConcurrent: 1,
    total: 2,
    tasks: [
      { slot: 0, desired: 'complete', state: 'complete', iteration: 0 },
      { slot: 1, desired: 'complete', state: 'complete', iteration: 0 },
    ],
    create: [],
    stop: 0,
    completed: 2,
  },
  {
    name: 'a slot that failed for good is not run again',
    maxConcurrent: 2,
    total: 2,
    tasks: [{ slot: 0, desired: 'shutdown', state: 'failed', iteration: 0 }],
    mayRestart: false,
    create: [1],
    stop: 0,
    completed: 0,
  },
  {
    name: 'a new iteration stops old runs and starts over',
    maxConcurrent: 1,
    total: 1,
    iteration: 1,
    tasks: [
      { slot: 0, desired: 'complete', state: 'running', iteration: 0 },
      { slot: 0, desired: 'complete', state: 'complete', iteration: 0 },
    ],
    create: [0],
    stop: 1,
    completed: 0,
  },
];

for (const c of jobCases) {
  test(`reconcileReplicatedJob: ${c.name}`, () => {
    const svc = service(
      'j',
      { kind: 'replicatedJob', maxConcurrent: c.maxConcurrent, totalCompletions: c.total },
      (s) => {
        if (c.iteration !== undefined) s.jobStatus = { jobIteration: c.iteration };
      },
    );
    const plan = reconcileReplicatedJob({
      service: svc,
      tasks: c.tasks.map((shape, i) => task(`t${i}`, svc, shape)),
      mayRestart: () => c.mayRestart ?? true,
    });
    assert.deepEqual(plan.create, c.create);
    assert.equal(plan.stop.length, c.stop);
    assert.equal(plan.completed, c.completed);
    assert.equal(plan.iteration, c.iteration ?? 0);
  });
}

test('reconcileGlobalJob: once per node; completed nodes done; new nodes included; drained nodes stop', () => {
  const svc = service('gj', { kind: 'globalJob' });
  const plan = reconcileGlobalJob({
    service: svc,
    nodes: [node('n1'), node('n2'), node('n3'), node('n4', (n) => void (n.spec.availability = 'drain'))],
    tasks: [
      task('a', svc, { slot: 0, nodeId: 'n1', desired: 'complete', state: 'complete', iteration: 0 }),
      task('b', svc, { slot: 0, nodeId: 'n2', desired: 'complete', state: 'running', iteration: 0 }),
      task('c', svc, { slot: 0, nodeId: 'n4', desired: 'complete', state: 'running', iteration: 0 }),
    ],
    mayRestart: () => true,
  });
  assert.deepEqual(plan.create, ['n3']);
  assert.deepEqual(
    plan.stop.map((s) => [s.task.id, s.fit]),
    [['c', 'drain']],
  );
});
