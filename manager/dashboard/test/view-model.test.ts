// The dashboard's state: what the page gets for nodes, services and tasks, read from the store.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createLocalStore } from '../../store/index.js';
import { newNode, newService, newTask } from '../../store/test/fixtures.js';
import { dashboardState, isShownTask, nodeView, portText, taskView } from '../view-model.js';
import type { Task } from '../../store/index.js';

test('a node shows its hostname, role, state, availability and manager status', async () => {
  const store = createLocalStore();
  await store.update((tx) => {
    tx.create('nodes', {
      ...newNode('m1', 'manager'),
      managerStatus: { raftId: 1, addr: '10.1.0.1:2377', leader: true, reachability: 'reachable' },
    });
    tx.create('nodes', newNode('w1', 'worker', 'drain'));
  });
  const [m1, w1] = store.view((tx) => [tx.get('nodes', 'm1')!, tx.get('nodes', 'w1')!]);
  assert.deepEqual(nodeView(m1), {
    id: 'm1',
    hostname: 'host-m1',
    role: 'manager',
    state: 'ready',
    availability: 'active',
    addr: '10.1.0.1',
    leader: true,
    reachability: 'reachable',
  });
  assert.deepEqual(nodeView(w1), {
    id: 'w1',
    hostname: 'host-w1',
    role: 'worker',
    state: 'ready',
    availability: 'drain',
    addr: '10.1.0.1',
    leader: false,
  });
});

test('a published port reads as published:target/protocol, host mode marked', () => {
  assert.equal(
    portText({ protocol: 'tcp', targetPort: 80, publishedPort: 8080, publishMode: 'ingress' }),
    '8080:80/tcp',
  );
  assert.equal(
    portText({ protocol: 'udp', targetPort: 53, publishedPort: 5353, publishMode: 'host' }),
    '5353:53/udp (host)',
  );
});

function withState(
  t: ReturnType<typeof newTask>,
  state: Task['status']['state'],
): ReturnType<typeof newTask> {
  return { ...t, status: { ...t.status, state } };
}

test('the state counts running replicas, lists live tasks only, and carries its index', async () => {
  const store = createLocalStore();
  await store.update((tx) => {
    tx.create('nodes', newNode('n1'));
    tx.create('services', {
      ...newService('s1', 'web', { kind: 'replicated', replicas: 3 }),
      endpoint: {
        spec: { mode: 'vip', ports: [] },
        ports: [{ protocol: 'tcp', targetPort: 80, publishedPort: 30001, publishMode: 'ingress' }],
        virtualIPs: [],
      },
    });
    tx.create('services', { ...newService('s0', 'api'), pendingDelete: true });
    tx.create('tasks', withState(newTask('t1', 's1', 1, 'n1'), 'running'));
    tx.create('tasks', withState(newTask('t2', 's1', 2, 'n1'), 'starting'));
    tx.create('tasks', newTask('t3', 's1', 3));
    // History: finished and not wanted.
    tx.create('tasks', withState(newTask('t4', 's1', 1, 'n1', 'shutdown'), 'shutdown'));
    // Stopping: not wanted but still running.
    tx.create('tasks', withState(newTask('t5', 's1', 4, 'n1', 'shutdown'), 'running'));
  });
  const s = store.view((tx) => dashboardState(tx, store.appliedIndex));
  assert.equal(s.index, store.appliedIndex);
  assert.deepEqual(
    s.nodes.map((n) => n.id),
    ['n1'],
  );
  assert.equal(s.services.length, 1, 'a service being removed is not shown');
  assert.deepEqual(s.services[0], {
    id: 's1',
    name: 'web',
    mode: 'replicated',
    image: 'nginx:1.25',
    running: 1,
    desired: 3,
    ports: ['30001:80/tcp'],
  });
  assert.deepEqual(
    s.tasks.map((t) => t.id),
    ['t1', 't2', 't3', 't5'],
  );
  assert.equal(s.truncated, false);
  const unscheduled = s.tasks.find((t) => t.id === 't3')!;
  assert.equal(unscheduled.nodeId, undefined);
  assert.equal(unscheduled.state, 'new');
});

test('a task is shown while wanted or alive, and hidden once finished and unwanted', () => {
  const t = newTask('t', 's', 1, 'n');
  const task = (state: Task['status']['state'], desired: Task['desiredState']): Task => ({
    ...withState({ ...t, desiredState: desired }, state),
    meta: { version: 1, createdAt: '', updatedAt: '' },
  });
  assert.equal(isShownTask(task('running', 'running')), true);
  assert.equal(isShownTask(task('failed', 'running')), true);
  assert.equal(isShownTask(task('running', 'shutdown')), true);
  assert.equal(isShownTask(task('shutdown', 'shutdown')), false);
  assert.equal(isShownTask(task('failed', 'shutdown')), false);
  assert.equal(isShownTask(task('complete', 'complete')), false);
  const v = taskView({
    ...task('failed', 'running'),
    status: { ...t.status, state: 'failed', err: 'no such image' },
  });
  assert.equal(v.error, 'no such image');
  assert.equal(v.since, t.status.timestamp);
});
