// Network view updates: a patch computed between two views of a network turns the first into
// the second exactly (seeded random views), and a whole update names, per network, keep, patch
// or full; an update that names a network the node does not hold is refused.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { seeded } from '../../objects/test/fixtures.js';
import {
  sortedBackends,
  sortedEndpoints,
  compareServices,
  macOf,
  type EndpointView,
  type NodeNetworkView,
  type OverlayNetworkView,
  type ServiceView,
} from '../network-view.js';
import {
  applyNetworkPatch,
  applyViewUpdate,
  diffNetwork,
  NetworkViewUpdateError,
} from '../network-view-update.js';
import { composeNetworkPatches } from '../network-patch-compose.js';

function randomNetwork(random: () => number, id = 'overnet'): OverlayNetworkView {
  const pick = (n: number): number => Math.floor(random() * n);
  const endpoints = new Map<string, EndpointView>();
  for (let i = 0, n = pick(12); i < n; i++) {
    const address = `10.0.1.${2 + pick(20)}/24`;
    const nodeId = `node${pick(4)}`;
    const e: EndpointView =
      random() < 0.8
        ? {
            kind: 'task',
            taskId: `t${pick(15)}`,
            serviceId: `s${pick(3)}`,
            serviceName: `svc${pick(3)}`,
            nodeId,
            nodeAddr: `192.168.0.${pick(4)}`,
            address,
            mac: macOf(address),
          }
        : { kind: 'ingress-sandbox', nodeId, nodeAddr: `192.168.0.${pick(4)}`, address, mac: macOf(address) };
    endpoints.set(e.kind === 'task' ? e.taskId : e.nodeId, e);
  }
  const services: ServiceView[] = [];
  for (let s = 0; s < 3; s++) {
    if (random() < 0.3) continue;
    services.push({
      serviceId: `s${s}`,
      name: `svc${s}`,
      endpointMode: random() < 0.5 ? 'vip' : 'dnsrr',
      vip: `10.0.1.${200 + s}`,
      aliases: random() < 0.5 ? [] : ['www'],
      ports: [],
      backends: sortedBackends(
        [...new Set(Array.from({ length: pick(5) }, () => `t${pick(15)}`))].map((taskId) => ({
          taskId,
          address: `10.0.1.${pick(20)}`,
          nodeId: `node${pick(4)}`,
          healthy: random() < 0.7,
        })),
      ),
    });
  }
  return {
    networkId: id,
    name: id,
    vni: 4097 + pick(2),
    subnet: '10.0.1.0/24',
    gateway: '10.0.1.1',
    internal: random() < 0.2,
    attachable: random() < 0.5,
    ingress: false,
    endpoints: sortedEndpoints(endpoints.values()),
    services: services.sort(compareServices),
  };
}

test('apply(prev, diff(prev, next)) is next, for 2,000 seeded pairs of views', () => {
  const random = seeded(42);
  for (let i = 0; i < 2000; i++) {
    const prev = randomNetwork(random);
    const next = randomNetwork(random);
    assert.deepEqual(applyNetworkPatch(prev, diffNetwork(prev, next)), next, `pair ${i}`);
  }
});

test('the steps a node missed, composed into one patch, turn its copy into the current view', () => {
  const random = seeded(1313);
  for (let i = 0; i < 1000; i++) {
    // Random views in a row: services and endpoints come, go, come back, and change.
    const views = Array.from({ length: 2 + Math.floor(random() * 6) }, () => randomNetwork(random));
    const steps = views.slice(1).map((v, k) => diffNetwork(views[k]!, v));
    const composed = steps.slice(1).reduce((acc, p) => composeNetworkPatches(acc, p), steps[0]!);
    assert.deepEqual(applyNetworkPatch(views[0]!, composed), views.at(-1), `sequence ${i}`);
    // ...and composing is associative, so any split of the steps gives the same view.
    if (steps.length >= 3) {
      const right = composeNetworkPatches(steps[0]!, composeNetworkPatches(steps[1]!, steps[2]!));
      const left = composeNetworkPatches(composeNetworkPatches(steps[0]!, steps[1]!), steps[2]!);
      assert.deepEqual(applyNetworkPatch(views[0]!, right), applyNetworkPatch(views[0]!, left));
    }
  }
});

test('a composed patch is no larger than its steps', () => {
  const random = seeded(99);
  for (let i = 0; i < 200; i++) {
    const [a, b, c] = [randomNetwork(random), randomNetwork(random), randomNetwork(random)];
    const [p, q] = [diffNetwork(a, b), diffNetwork(b, c)];
    const r = composeNetworkPatches(p, q);
    assert.ok(r.endpoints.length <= p.endpoints.length + q.endpoints.length);
    assert.ok(r.removedEndpoints.length <= p.removedEndpoints.length + q.removedEndpoints.length);
    assert.ok(r.services.length <= p.services.length + q.services.length);
  }
});

test('a patch carries only what changed', () => {
  const random = seeded(7);
  const prev = randomNetwork(random);
  const extra: EndpointView = {
    kind: 'ingress-sandbox',
    nodeId: 'node9',
    nodeAddr: '192.168.0.9',
    address: '10.0.1.250/24',
    mac: macOf('10.0.1.250/24'),
  };
  const next = { ...prev, endpoints: sortedEndpoints([...prev.endpoints.slice(1), extra]) };
  const patch = diffNetwork(prev, next);
  assert.deepEqual(patch.endpoints, [extra]);
  assert.equal(patch.removedEndpoints.length, prev.endpoints.length > 0 ? 1 : 0);
  assert.deepEqual(patch.services, []);
  assert.deepEqual(patch.removedServices, []);
});

test('a service whose backend turns healthy is patched by that backend alone', () => {
  const backends = Array.from({ length: 50 }, (_, i) => ({
    taskId: `t${i}`,
    address: `10.0.1.${i + 2}`,
    nodeId: 'n1',
    healthy: true,
  }));
  const service: ServiceView = {
    serviceId: 's',
    name: 'web',
    endpointMode: 'vip',
    vip: '10.0.1.200',
    aliases: [],
    ports: [],
    backends,
  };
  const prev = {
    ...randomNetwork(seeded(1)),
    services: [{ ...service, backends: backends.map((b, i) => (i === 7 ? { ...b, healthy: false } : b)) }],
  };
  const next = { ...prev, services: [service] };
  const patch = diffNetwork(prev, next);
  assert.equal(patch.services.length, 1);
  assert.deepEqual(patch.services[0]?.backends, [backends[7]]);
  assert.deepEqual(patch.services[0]?.removedBackends, []);
  assert.deepEqual(applyNetworkPatch(prev, patch), next);
});

test('a view update keeps, patches or replaces each network, and drops the ones it does not name', () => {
  const random = seeded(3);
  const a = randomNetwork(random, 'a');
  const b = randomNetwork(random, 'b');
  const c = randomNetwork(random, 'c');
  const held: NodeNetworkView = { nodeId: 'n1', networks: [a, b, c], ingressAddress: '10.0.0.2/24' };
  const b2 = { ...randomNetwork(random, 'b') };
  const d = randomNetwork(random, 'd');
  const next = applyViewUpdate(held, {
    nodeId: 'n1',
    networks: [{ keep: 'a' }, { patch: diffNetwork(b, b2) }, { full: d }],
  });
  assert.deepEqual(next, { nodeId: 'n1', networks: [a, b2, d] });
  assert.throws(
    () => applyViewUpdate(held, { nodeId: 'n1', networks: [{ keep: 'zz' }] }),
    (e: unknown) =>
      e instanceof NetworkViewUpdateError && /network zz, which this node does not hold/.test(e.message),
  );
  assert.throws(
    () => applyViewUpdate(undefined, { nodeId: 'n1', networks: [{ patch: diffNetwork(a, a) }] }),
    NetworkViewUpdateError,
  );
});

test('a patch merges into a held network in order, and a held network out of order is sorted', () => {
  const random = seeded(14);
  for (let i = 0; i < 200; i++) {
    const prev = randomNetwork(random);
    const next = randomNetwork(random);
    const patch = diffNetwork(prev, next);
    const shuffled = { ...prev, endpoints: [...prev.endpoints].reverse() };
    assert.deepEqual(applyNetworkPatch(shuffled, patch), next);
  }
  const prev = randomNetwork(random);
  const unchanged = applyNetworkPatch(prev, diffNetwork(prev, prev));
  assert.equal(unchanged.endpoints, prev.endpoints, 'nothing changed: the held list is kept as it is');
  assert.equal(unchanged.services, prev.services);
});
