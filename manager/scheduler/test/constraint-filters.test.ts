// Tables for constraint parsing and matching, every filter, and the pipeline's explanations.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Node } from '../../../api/objects/index.js';
import { node, service, task } from '../../test/objects.js';
import {
  ConstraintParseError,
  matchesConstraints,
  parseConstraint,
  parseConstraints,
} from '../../constraint/constraint.js';
import type { Filter } from '../filter.js';
import { availabilityFilter } from '../filters/availability-filter.js';
import { constraintFilter } from '../filters/constraint-filter.js';
import { hostPortFilter } from '../filters/host-port-filter.js';
import { maxReplicasFilter } from '../filters/max-replicas-filter.js';
import { platformFilter } from '../filters/platform-filter.js';
import { readyFilter } from '../filters/ready-filter.js';
import { resourceFilter } from '../filters/resource-filter.js';
import { NodeInfo } from '../node-info.js';
import { noSuitableNode, Pipeline } from '../pipeline.js';
import { requirementsOf, type TaskRequirements } from '../task-requirements.js';

test('parseConstraint: operators, spaces, errors', () => {
  assert.deepEqual(parseConstraint('node.role==manager'), {
    key: 'node.role',
    operator: '==',
    value: 'manager',
  });
  assert.deepEqual(parseConstraint(' node.labels.zone != b '), {
    key: 'node.labels.zone',
    operator: '!=',
    value: 'b',
  });
  for (const bad of [
    'node.role',
    'node.role=manager',
    '==x',
    'node.role==a==b',
    'node role==x',
    'node.role==',
  ]) {
    assert.throws(() => parseConstraint(bad), ConstraintParseError, bad);
  }
  assert.equal(new ConstraintParseError('x', 'y').code, 'INVALID_CONSTRAINT');
});

const labelled = node('abc123', (n) => {
  n.role = 'manager';
  n.spec.labels = { zone: 'Eu-1', ssd: 'true' };
  n.description!.hostname = 'worker-1';
  n.description!.engine.labels = { storage: 'fast' };
});

const matchCases: [string, boolean][] = [
  ['node.id==abc123', true],
  ['node.id!=abc123', false],
  ['node.hostname==worker-1', true],
  ['node.hostname==WORKER-1', true],
  ['node.role==manager', true],
  ['node.role!=worker', true],
  ['node.labels.zone==eu-1', true],
  ['node.labels.zone!=eu-1', false],
  ['node.labels.ZONE==eu-1', false],
  ['node.labels.missing!=x', true],
  ['node.labels.missing==x', false],
  ['engine.labels.storage==fast', true],
  ['engine.labels.storage==slow', false],
  ['node.platform.os==linux', true],
  ['node.platform.arch==x86_64', true],
  ['node.platform.arch!=x86_64', false],
  ['NODE.ROLE==manager', true],
  ['node.unknown==x', false],
];

for (const [expr, want] of matchCases) {
  test(`matchesConstraints: ${expr} → ${want}`, () => {
    assert.equal(matchesConstraints(labelled, parseConstraints([expr])), want);
  });
}

test('matchesConstraints: all must hold', () => {
  assert.equal(
    matchesConstraints(labelled, parseConstraints(['node.role==manager', 'node.labels.ssd==true'])),
    true,
  );
  assert.equal(
    matchesConstraints(labelled, parseConstraints(['node.role==manager', 'node.labels.ssd==false'])),
    false,
  );
});

function req(
  change: (r: { -readonly [K in keyof TaskRequirements]: TaskRequirements[K] }) => void = () => undefined,
): TaskRequirements {
  const svc = service('s1');
  const r = { ...requirementsOf(task('t', svc), svc) };
  change(r);
  return r;
}

function info(change: (n: Node) => void = () => undefined): NodeInfo {
  return new NodeInfo(node('n1', change));
}

const filterCases: {
  filter: Filter;
  name: string;
  req?: TaskRequirements;
  node: NodeInfo;
  pass: boolean;
  enabled?: boolean;
}[] = [
  { filter: readyFilter, name: 'ready node', node: info(), pass: true },
  { filter: readyFilter, name: 'down node', node: info((n) => void (n.status.state = 'down')), pass: false },
  {
    filter: readyFilter,
    name: 'unknown node',
    node: info((n) => void (n.status.state = 'unknown')),
    pass: false,
  },
  { filter: availabilityFilter, name: 'active', node: info(), pass: true },
  {
    filter: availabilityFilter,
    name: 'pause',
    node: info((n) => void (n.spec.availability = 'pause')),
    pass: false,
  },
  {
    filter: availabilityFilter,
    name: 'drain',
    node: info((n) => void (n.spec.availability = 'drain')),
    pass: false,
  },
  { filter: resourceFilter, name: 'fits', req: req((r) => (r.nanoCPUs = 4e9)), node: info(), pass: true },
  {
    filter: resourceFilter,
    name: 'too much CPU',
    req: req((r) => (r.nanoCPUs = 5e9)),
    node: info(),
    pass: false,
  },
  {
    filter: resourceFilter,
    name: 'too much memory',
    req: req((r) => (r.memoryBytes = 2 ** 40)),
    node: info((n) => void (n.description!.resources.memoryBytes = 2 ** 30)),
    pass: false,
  },
  {
    filter: resourceFilter,
    name: 'no reservations: disabled',
    req: req((r) => {
      r.nanoCPUs = 0;
      r.memoryBytes = 0;
    }),
    node: info(),
    pass: true,
    enabled: false,
  },
  { filter: constraintFilter, name: 'no constraints: disabled', node: info(), pass: true, enabled: false },
  {
    filter: constraintFilter,
    name: 'satisfied',
    req: req((r) => (r.constraints = parseConstraints(['node.role==worker']))),
    node: info(),
    pass: true,
  },
  {
    filter: constraintFilter,
    name: 'not satisfied',
    req: req((r) => (r.constraints = parseConstraints(['node.role==manager']))),
    node: info(),
    pass: false,
  },
  {
    filter: constraintFilter,
    name: 'malformed',
    req: req((r) => (r.constraints = new ConstraintParseError('x', 'bad'))),
    node: info(),
    pass: false,
  },
  {
    filter: platformFilter,
    name: 'amd64 is x86_64',
    req: req((r) => (r.platforms = [{ os: 'linux', architecture: 'amd64' }])),
    node: info(),
    pass: true,
  },
  {
    filter: platformFilter,
    name: 'arm64 only',
    req: req((r) => (r.platforms = [{ os: 'linux', architecture: 'arm64' }])),
    node: info(),
    pass: false,
  },
  {
    filter: hostPortFilter,
    name: 'free port',
    req: req((r) => (r.hostPorts = ['tcp/80'])),
    node: info(),
    pass: true,
  },
  { filter: maxReplicasFilter, name: 'unlimited: disabled', node: info(), pass: true, enabled: false },
  {
    filter: maxReplicasFilter,
    name: 'under the limit',
    req: req((r) => (r.maxReplicas = 1)),
    node: info(),
    pass: true,
  },
];

for (const c of filterCases) {
  test(`${c.filter.name} filter: ${c.name}`, () => {
    const r = c.req ?? req();
    assert.equal(c.filter.enabled(r), c.enabled ?? true);
    if (c.enabled !== false) assert.equal(c.filter.check(r, c.node), c.pass);
  });
}

test('host-port and max-replicas filters see the tasks already on the node', () => {
  const svc = service('s1');
  const n = info();
  n.addTask(task('t1', svc, { nodeId: 'n1', state: 'assigned' }), ['tcp/80']);
  assert.equal(
    hostPortFilter.check(
      req((r) => (r.hostPorts = ['tcp/80'])),
      n,
    ),
    false,
  );
  assert.equal(
    hostPortFilter.check(
      req((r) => (r.hostPorts = ['udp/80'])),
      n,
    ),
    true,
  );
  assert.equal(
    maxReplicasFilter.check(
      req((r) => (r.maxReplicas = 1)),
      n,
    ),
    false,
  );
  assert.equal(
    maxReplicasFilter.check(
      req((r) => (r.maxReplicas = 2)),
      n,
    ),
    true,
  );
  assert.equal(n.removeTask('t1'), true);
  assert.equal(
    hostPortFilter.check(
      req((r) => (r.hostPorts = ['tcp/80'])),
      n,
    ),
    true,
  );
  assert.equal(n.availableCPUs, 4e9);
});

test('explanations use Docker wording and singular/plural', () => {
  assert.equal(readyFilter.explain(1), '1 node not available for new tasks');
  assert.equal(resourceFilter.explain(2), 'insufficient resources on 2 nodes');
  assert.equal(constraintFilter.explain(3), 'scheduling constraints not satisfied on 3 nodes');
  assert.equal(platformFilter.explain(1), 'unsupported platform on 1 node');
  assert.equal(hostPortFilter.explain(2), 'host-mode port already in use on 2 nodes');
  assert.equal(maxReplicasFilter.explain(4), 'max replicas per node limit exceed');
  assert.equal(noSuitableNode(''), 'no suitable node');
  assert.equal(noSuitableNode('x'), 'no suitable node (x)');
});

test('pipeline: each node is charged to the first filter it fails; most failures first', () => {
  const p = new Pipeline();
  p.setTask(req((r) => (r.constraints = parseConstraints(['node.labels.zone==a']))));
  const nodes = [
    info((n) => void (n.status.state = 'down')),
    info((n) => void (n.spec.availability = 'drain')),
    info(),
    info(),
    info(),
    info((n) => void (n.spec.labels = { zone: 'a' })),
  ];
  assert.deepEqual(
    nodes.map((n) => p.process(n)),
    [false, false, false, false, false, true],
  );
  // Ready and availability give the same reason and are counted together.
  assert.equal(
    p.explain(),
    'scheduling constraints not satisfied on 3 nodes; 2 nodes not available for new tasks',
  );
  p.setTask(req());
  assert.equal(p.explain(), '');
});
