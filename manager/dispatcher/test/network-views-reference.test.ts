// The incremental network views against the reference computed from a whole read of the store:
// random sequences of store changes (nodes, networks, services, tasks: created, updated through
// their states, deleted; nodes going down and up, ingress attachments), fed to the views as the
// dispatcher feeds them, and after every step every node's view equals the reference, and what
// a simulated agent holds after applying what it was sent (some sends skipped, so some agents
// hold older copies) equals it too. Some steps read the store before their changes reach the
// views, as a dispatcher does when a session opens before the watch delivers: applying a change
// the views already hold changes nothing.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { createLocalStore, type ChangeEvent, type WriteTx } from '../../store/index.js';
import { allocatedNetwork, newNetwork, newNode, newService, newTask } from '../../store/test/fixtures.js';
import {
  TASK_STATES,
  type NewObject,
  type NodeState,
  type ObjectOf,
  type PortConfig,
} from '../../../api/objects/index.js';
import { applyViewUpdate, type NodeNetworkViewUpdate } from '../../../api/network/network-view-update.js';
import type { NodeNetworkView } from '../../../api/network/network-view.js';
import { ClusterNetworkViews } from '../../network/cluster-network-views.js';
import { affectsNetworkViews, NetworkViews } from '../network-views.js';

const NODES = ['n1', 'n2', 'n3'];
const NETWORKS = ['ingress', 'neta', 'netb'];
const SUBNET: Record<string, string> = { ingress: '10.0.0', neta: '10.0.1', netb: '10.0.2' };
const SERVICES = ['s1', 's2', 's3'];
const TASKS = ['t1', 't2', 't3', 't4', 't5', 't6'];

const pick = <T>(xs: readonly T[]): fc.Arbitrary<T> => fc.constantFrom(...xs);
const subset = <T>(xs: readonly T[]): fc.Arbitrary<T[]> => fc.subarray([...xs]);
/** An address on a network: few hosts, so that endpoints share and swap addresses. */
const addressOn = (net: string): fc.Arbitrary<string> =>
  fc.integer({ min: 2, max: 5 }).map((h) => `${SUBNET[net] ?? '10.9.9'}.${h}/24`);

const nodeCmd = fc.record({
  kind: fc.constant('node' as const),
  id: pick(NODES),
  remove: fc.boolean(),
  state: pick<NodeState>(['ready', 'ready', 'down', 'unknown']),
  addr: pick(['192.168.0.1', '192.168.0.2']),
  ingress: fc.option(addressOn('ingress'), { nil: undefined }),
  hostname: pick(['a', 'b']),
});

const networkCmd = fc.record({
  kind: fc.constant('network' as const),
  id: pick(NETWORKS),
  remove: fc.boolean(),
  allocated: fc.boolean(),
  renamed: fc.boolean(),
  internal: fc.boolean(),
  mtu: fc.option(pick(['1400', '1450']), { nil: undefined }),
});

const portArb = fc.record({
  protocol: pick(['tcp', 'udp'] as const),
  targetPort: pick([80, 443]),
  publishedPort: pick([0, 8080]),
  publishMode: pick(['ingress', 'host'] as const),
});

const serviceCmd = fc.record({
  kind: fc.constant('service' as const),
  id: pick(SERVICES),
  remove: fc.boolean(),
  name: pick(['alpha', 'beta', 'gamma']),
  mode: pick(['vip', 'dnsrr'] as const),
  attached: subset([...NETWORKS, 'ghost']),
  aliases: subset(['x', 'y']),
  vips: subset(NETWORKS),
  ports: fc.array(portArb, { maxLength: 2 }),
  endpoint: fc.boolean(),
});

const taskCmd = fc.record({
  kind: fc.constant('task' as const),
  id: pick(TASKS),
  remove: fc.boolean(),
  serviceId: pick([...SERVICES, 'orphan']),
  nodeId: fc.option(pick(NODES), { nil: undefined }),
  state: pick(TASK_STATES),
  desired: pick(['running', 'running', 'shutdown'] as const),
  networks: subset([...NETWORKS, 'ghost']),
  addresses: fc.array(fc.integer({ min: 2, max: 5 }), { minLength: 4, maxLength: 4 }),
  noAddress: fc.boolean(),
});

const cmdArb = fc.oneof(
  { arbitrary: nodeCmd, weight: 2 },
  { arbitrary: networkCmd, weight: 1 },
  { arbitrary: serviceCmd, weight: 2 },
  { arbitrary: taskCmd, weight: 6 },
);
type Command = typeof cmdArb extends fc.Arbitrary<infer C> ? C : never;

function upsert<K extends 'nodes' | 'networks' | 'services' | 'tasks'>(
  tx: WriteTx,
  table: K,
  object: NewObject<K>,
): void {
  const current = tx.get(table, object.id);
  if (current === undefined) tx.create(table, object);
  else tx.update(table, { ...object, meta: current.meta } as ObjectOf<K>);
}

function run(tx: WriteTx, c: Command): void {
  const table = `${c.kind}s` as const;
  if (c.remove) {
    if (tx.get(table, c.id) !== undefined) tx.delete(table, c.id);
    return;
  }
  switch (c.kind) {
    case 'node': {
      const n = newNode(c.id);
      n.description = { ...n.description!, hostname: c.hostname };
      n.status = { state: c.state, message: '', addr: c.addr };
      n.attachments = c.ingress === undefined ? [] : [{ networkId: 'ingress', addresses: [c.ingress] }];
      return upsert(tx, 'nodes', n);
    }
    case 'network': {
      const name = c.renamed ? `${c.id}-renamed` : c.id;
      const n = c.allocated
        ? allocatedNetwork(c.id, `${SUBNET[c.id]}.0/24`, 4096 + NETWORKS.indexOf(c.id), name)
        : newNetwork(c.id, name);
      n.spec.ingress = c.id === 'ingress';
      n.spec.internal = c.internal;
      if (c.mtu !== undefined)
        n.spec.driverConfig = { name: 'overlay', options: { 'com.docker.network.driver.mtu': c.mtu } };
      return upsert(tx, 'networks', n);
    }
    case 'service': {
      const s = newService(c.id, `${c.name}-${c.id}`);
      s.spec.taskTemplate.networks = c.attached.map((target) => ({
        target,
        aliases: c.aliases,
        driverOpts: {},
      }));
      const ports: PortConfig[] = c.ports.map((p) => ({ ...p }));
      s.spec.endpointSpec = { mode: c.mode, ports };
      if (c.endpoint) {
        s.endpoint = {
          spec: s.spec.endpointSpec,
          ports,
          virtualIPs: c.vips.map((networkId, i) => ({
            networkId,
            addr: `${SUBNET[networkId]}.${100 + i}/24`,
          })),
        };
      }
      return upsert(tx, 'services', s);
    }
    case 'task': {
      const t = newTask(c.id, c.serviceId, 1, c.nodeId, c.desired);
      t.serviceAnnotations = { name: `svc-${c.serviceId}`, labels: {} };
      t.status = { ...t.status, state: c.state };
      t.networksAttachments = c.networks.map((networkId, i) => ({
        networkId,
        addresses:
          c.noAddress && i === 0 ? [] : [`${SUBNET[networkId] ?? '10.9.9'}.${c.addresses[i] ?? 2}/24`],
        aliases: [],
      }));
      return upsert(tx, 'tasks', t);
    }
  }
}

interface Agent {
  view: NodeNetworkView;
  digest: string;
  held: ReadonlyMap<string, string>;
}

const stepArb = fc.record({
  commands: fc.array(cmdArb, { minLength: 1, maxLength: 3 }),
  skipped: subset(NODES),
  reread: fc.integer({ min: 0, max: 19 }).map((n) => n === 0),
  /** Read the store before the step's changes reach the views (they are then applied again). */
  early: fc.integer({ min: 0, max: 9 }).map((n) => n === 0),
});

test('incremental views equal the reference after every change, and so does what agents hold', async () => {
  await fc.assert(
    fc.asyncProperty(fc.array(stepArb, { minLength: 1, maxLength: 25 }), async (steps) => {
      const store = createLocalStore();
      const controller = new AbortController();
      const watcher = store.watch({ signal: controller.signal });
      const views = new NetworkViews(store);
      const agents = new Map<string, Agent>();
      try {
        for (const step of steps) {
          for (const c of step.commands) await store.update((tx) => run(tx, c));
          const changes = watcher.drain().filter((e): e is ChangeEvent => e.action !== 'commit');
          if (step.early) {
            views.of(NODES[0]!);
            views.invalidate();
          }
          views.apply(changes.filter(affectsNetworkViews));
          if (step.reread) views.invalidate();
          const reference = store.view((tx) => ClusterNetworkViews.read(tx));
          for (const id of [...NODES, 'unknown-node']) {
            const want = reference.forNode(id);
            const current = views.of(id);
            assert.deepEqual(current.view, want, `view of ${id}`);
            const agent = agents.get(id);
            if (agent !== undefined && agent.digest === current.digest) {
              assert.deepEqual(agent.view, want, `${id}: an equal digest means an equal view`);
              continue;
            }
            if (step.skipped.includes(id)) continue; // the node holds an older copy
            const text = views.encode(current, agent?.held);
            const bytes = views.encodeBytes(current, agent?.held);
            assert.ok(Buffer.from(bytes).equals(Buffer.from(text)), `${id}: the bytes are the text's UTF-8`);
            assert.equal(views.encodedSize(current, agent?.held), bytes.byteLength, `${id}: the size told`);
            const got =
              agent === undefined
                ? (JSON.parse(text) as NodeNetworkView)
                : applyViewUpdate(agent.view, JSON.parse(text) as NodeNetworkViewUpdate);
            assert.deepEqual(got, want, `what ${id} holds after the update`);
            agents.set(id, { view: got, digest: current.digest, held: current.networkDigests });
          }
        }
      } finally {
        controller.abort();
      }
    }),
    { seed: 13, numRuns: 300 },
  );
});
