// Tables for the pure scheduling decision: spread, placement preferences, group placement that
// fills nodes up, preassigned tasks and the reasons given for tasks that fit nowhere.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Node, Service, Task } from '../../../api/objects/index.js';
import { node, service, task } from '../../test/objects.js';
import { Heap } from '../node-heap.js';
import { NodeInfo } from '../node-info.js';
import { schedule, type PlacementDecision } from '../schedule.js';

function nodes(...list: Node[]): Map<string, NodeInfo> {
  return new Map(list.map((n) => [n.id, new NodeInfo(n)]));
}

function tasks(svc: Service, n: number, first = 1): Task[] {
  return Array.from({ length: n }, (_, i) =>
    task(`${svc.id}-${first + i}`, svc, { slot: first + i, state: 'new' }),
  );
}

function placed(decisions: readonly PlacementDecision[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const d of decisions) {
    const key = 'nodeId' in d ? d.nodeId : `pending: ${d.err}`;
    out[key] = (out[key] ?? 0) + 1;
  }
  return out;
}

const services = new Map<string, Service>();

test('Heap pops in order', () => {
  const h = new Heap<number>((a, b) => a < b, [5, 3, 9, 1]);
  h.push(4);
  const out: number[] = [];
  for (let x = h.pop(); x !== undefined; x = h.pop()) out.push(x);
  assert.deepEqual(out, [1, 3, 4, 5, 9]);
});

test('spread: 3 tasks over 2 nodes go 2/1, in slot order', () => {
  const svc = service('web', { kind: 'replicated', replicas: 3 });
  const d = schedule({ nodes: nodes(node('n1'), node('n2')), services }, tasks(svc, 3));
  assert.deepEqual(
    d.map((x) => ('nodeId' in x ? x.nodeId : x.err)),
    ['n1', 'n2', 'n1'],
  );
});

test('spread: fewest tasks of the service first, then fewest tasks overall', () => {
  const web = service('web', { kind: 'replicated', replicas: 2 });
  const db = service('db', { kind: 'replicated', replicas: 2 });
  const set = nodes(node('n1'), node('n2'), node('n3'));
  // n1 runs web already; n2 runs two db tasks.
  set.get('n1')!.addTask(task('w0', web, { slot: 9, nodeId: 'n1' }), []);
  set.get('n2')!.addTask(task('d1', db, { slot: 1, nodeId: 'n2' }), []);
  set.get('n2')!.addTask(task('d2', db, { slot: 2, nodeId: 'n2' }), []);
  const d = schedule({ nodes: set, services }, tasks(web, 2));
  assert.deepEqual(
    d.map((x) => ('nodeId' in x ? x.nodeId : x.err)),
    ['n3', 'n2'],
  );
});

test('a group fills nodes up: resources run out and the rest stay pending with the reason', () => {
  const svc = service('big', { kind: 'replicated', replicas: 5 }, (s) => {
    s.spec.taskTemplate.resources = { reservations: { nanoCPUs: 2e9, memoryBytes: 0, generic: [] } };
  });
  const d = schedule({ nodes: nodes(node('n1'), node('n2')), services }, tasks(svc, 5));
  assert.deepEqual(placed(d), {
    n1: 2,
    n2: 2,
    'pending: no suitable node (insufficient resources on 2 nodes)': 1,
  });
});

const reasonCases: { name: string; change: (s: Service) => void; nodes: Node[]; want: string }[] = [
  { name: 'no nodes at all', change: () => undefined, nodes: [], want: 'no suitable node' },
  {
    name: 'constraints',
    change: (s) => void (s.spec.taskTemplate.placement.constraints = ['node.labels.gpu==true']),
    nodes: [node('n1'), node('n2'), node('n3')],
    want: 'no suitable node (scheduling constraints not satisfied on 3 nodes)',
  },
  {
    name: 'drained and down nodes',
    change: () => undefined,
    nodes: [
      node('n1', (n) => void (n.spec.availability = 'drain')),
      node('n2', (n) => void (n.status.state = 'down')),
    ],
    want: 'no suitable node (2 nodes not available for new tasks)',
  },
  {
    name: 'mixed reasons, most frequent first',
    change: (s) => {
      s.spec.taskTemplate.resources = { reservations: { nanoCPUs: 3e9, memoryBytes: 0, generic: [] } };
      s.spec.taskTemplate.placement.constraints = ['node.role==manager'];
    },
    nodes: [
      node('n1', (n) => void (n.description!.resources.nanoCPUs = 1e9)),
      node('n2'),
      node('n3'),
      node('n4', (n) => void (n.spec.availability = 'pause')),
    ],
    want: 'no suitable node (scheduling constraints not satisfied on 2 nodes; 1 node not available for new tasks; insufficient resources on 1 node)',
  },
  {
    name: 'platform',
    change: (s) =>
      void (s.spec.taskTemplate.placement.platforms = [{ os: 'windows', architecture: 'amd64' }]),
    nodes: [node('n1')],
    want: 'no suitable node (unsupported platform on 1 node)',
  },
];

for (const c of reasonCases) {
  test(`pending reason: ${c.name}`, () => {
    const svc = service('s', { kind: 'replicated', replicas: 1 }, c.change);
    const [d] = schedule({ nodes: nodes(...c.nodes), services }, tasks(svc, 1));
    assert.ok(d !== undefined && 'err' in d);
    assert.equal(d.err, c.want);
  });
}

test('max replicas per node: 5 tasks, 2 nodes, at most 2 each', () => {
  const svc = service('m', { kind: 'replicated', replicas: 5 }, (s) => {
    s.spec.taskTemplate.placement.maxReplicas = 2;
  });
  const d = schedule({ nodes: nodes(node('n1'), node('n2')), services }, tasks(svc, 5));
  assert.deepEqual(placed(d), {
    n1: 2,
    n2: 2,
    'pending: no suitable node (max replicas per node limit exceed)': 1,
  });
});

test('host-mode published ports: one task per node', () => {
  const svc = service('p', { kind: 'replicated', replicas: 3 }, (s) => {
    s.spec.endpointSpec = {
      mode: 'vip',
      ports: [{ protocol: 'tcp', targetPort: 80, publishedPort: 8080, publishMode: 'host' }],
    };
  });
  const d = schedule(
    { nodes: nodes(node('n1'), node('n2')), services: new Map([[svc.id, svc]]) },
    tasks(svc, 3),
  );
  assert.deepEqual(placed(d), {
    n1: 1,
    n2: 1,
    'pending: no suitable node (host-mode port already in use on 2 nodes)': 1,
  });
});

test('placement preference: spread over label values first, nodes without the label are one more value', () => {
  const svc = service('z', { kind: 'replicated', replicas: 6 }, (s) => {
    s.spec.taskTemplate.placement.preferences = [{ spread: 'node.labels.zone' }];
  });
  const zone = (id: string, z?: string): Node =>
    node(id, (n) => {
      if (z !== undefined) n.spec.labels = { zone: z };
    });
  // Zone a has three nodes, zone b one, one node has no zone: each value gets 2 of 6.
  const d = schedule(
    {
      nodes: nodes(zone('a1', 'a'), zone('a2', 'a'), zone('a3', 'a'), zone('b1', 'b'), zone('x1')),
      services,
    },
    tasks(svc, 6),
  );
  const perZone: Record<string, number> = {};
  for (const x of d) {
    assert.ok('nodeId' in x);
    const z = x.nodeId.startsWith('a') ? 'a' : x.nodeId.startsWith('b') ? 'b' : 'none';
    perZone[z] = (perZone[z] ?? 0) + 1;
  }
  assert.deepEqual(perZone, { a: 2, b: 2, none: 2 });
});

test('placement preference: a full branch gives way to the others', () => {
  const svc = service('z', { kind: 'replicated', replicas: 4 }, (s) => {
    s.spec.taskTemplate.placement.preferences = [{ spread: 'node.labels.zone' }];
    s.spec.taskTemplate.resources = { reservations: { nanoCPUs: 2e9, memoryBytes: 0, generic: [] } };
  });
  const d = schedule(
    {
      nodes: nodes(
        node('a1', (n) => void (n.spec.labels = { zone: 'a' })),
        node('b1', (n) => {
          n.spec.labels = { zone: 'b' };
          n.description!.resources.nanoCPUs = 2e9;
        }),
      ),
      services,
    },
    tasks(svc, 4),
  );
  assert.deepEqual(placed(d), {
    a1: 2,
    b1: 1,
    'pending: no suitable node (insufficient resources on 2 nodes)': 1,
  });
});

test('nested preferences: datacenter, then rack', () => {
  const svc = service('z', { kind: 'replicated', replicas: 4 }, (s) => {
    s.spec.taskTemplate.placement.preferences = [
      { spread: 'node.labels.dc' },
      { spread: 'node.labels.rack' },
    ];
  });
  const at = (id: string, dc: string, rack: string): Node =>
    node(id, (n) => void (n.spec.labels = { dc, rack }));
  const d = schedule(
    {
      nodes: nodes(
        at('n1', 'east', 'r1'),
        at('n2', 'east', 'r1'),
        at('n3', 'east', 'r2'),
        at('n4', 'west', 'r1'),
      ),
      services,
    },
    tasks(svc, 4),
  );
  const p = placed(d);
  assert.equal(p['n4'], 2, 'west gets half');
  assert.equal(p['n3'], 1, 'east/r2 gets half of east');
  assert.equal((p['n1'] ?? 0) + (p['n2'] ?? 0), 1);
});

test('a preassigned task (global) is only checked against its node', () => {
  const svc = service('g', { kind: 'global' }, (s) => {
    s.spec.taskTemplate.resources = { reservations: { nanoCPUs: 3e9, memoryBytes: 0, generic: [] } };
  });
  const set = nodes(
    node('n1'),
    node('n2', (n) => void (n.description!.resources.nanoCPUs = 1e9)),
  );
  const d = schedule({ nodes: set, services }, [
    task('g1', svc, { slot: 0, nodeId: 'n1', state: 'new' }),
    task('g2', svc, { slot: 0, nodeId: 'n2', state: 'new' }),
    task('g3', svc, { slot: 0, nodeId: 'gone', state: 'new' }),
  ]);
  assert.deepEqual(d, [
    { taskId: 'g1', nodeId: 'n1' },
    { taskId: 'g2', err: 'no suitable node (insufficient resources on 1 node)' },
    { taskId: 'g3', err: 'no suitable node (node not found)' },
  ]);
  assert.equal(set.get('n1')!.availableCPUs, 1e9, 'the placement is recorded on the node');
});

test('two services in one pass: each group sees the placements of the one before', () => {
  const a = service('a', { kind: 'replicated', replicas: 2 });
  const b = service('b', { kind: 'replicated', replicas: 2 });
  const set = nodes(node('n1'), node('n2'), node('n3'), node('n4'));
  const d = schedule({ nodes: set, services }, [...tasks(a, 2), ...tasks(b, 2)]);
  assert.deepEqual(
    d.map((x) => ('nodeId' in x ? x.nodeId : x.err)),
    ['n1', 'n2', 'n3', 'n4'],
  );
});

test('a task whose spec the scheduler cannot read waits with a reason; the others are placed', () => {
  const good = service('good', { kind: 'replicated', replicas: 2 });
  const bad = service('bad');
  // A hand-made task (past the API): placement without its fields makes reading it throw.
  const broken = task('bad-1', bad, {
    slot: 1,
    state: 'new',
    change: (t) => {
      t.spec = { ...t.spec, placement: {} as Task['spec']['placement'] };
    },
  });
  const preassigned = task('bad-2', bad, {
    slot: 0,
    nodeId: 'n1',
    state: 'new',
    change: (t) => {
      t.spec = { ...t.spec, placement: {} as Task['spec']['placement'] };
    },
  });
  const decisions = schedule({ nodes: nodes(node('n1'), node('n2')), services }, [
    broken,
    preassigned,
    ...tasks(good, 2),
  ]);
  assert.equal(decisions.length, 4);
  for (const id of ['bad-1', 'bad-2']) {
    const d = decisions.find((x) => x.taskId === id)!;
    assert.ok('err' in d && d.err.startsWith('scheduler could not place this task'), id);
    assert.ok('failure' in d && d.failure instanceof Error, id);
  }
  assert.deepEqual(placed(decisions.filter((d) => d.taskId.startsWith('good'))), { n1: 1, n2: 1 });
});
