// The allocator loop with the real orchestrators, scheduler and reaper on a real store, a
// manual clock and simulated agents: the scheduler takes only tasks the allocator moved to
// 'pending' (schedulableStates ['pending'], as the manager runs them together).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createLeaderLoops } from '../../leader-loops.js';
import { runControlLoops } from '../../loop/run-loops.js';
import { AgentSim } from '../../test/agent-sim.js';
import { ManualClock } from '../../../api/clock/manual-clock.js';
import { createLocalStore } from '../../store/local-proposer.js';
import type { Network, NewObject, Service, Task } from '../../../api/objects/index.js';
import type { MemoryStore } from '../../store/store.js';
import { newCluster, newNetwork, newNode, newService } from '../../store/test/fixtures.js';
import { ALLOCATED_MESSAGE, AllocatorLoop } from '../allocator-loop.js';
import { ensureIngressNetwork } from '../ingress.js';
import { networkUser } from '../network-users.js';
import { VXLANID_OPTION } from '../vni.js';

const turn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

class Cluster {
  readonly clock = new ManualClock();
  readonly store: MemoryStore = createLocalStore({ clock: this.clock.date });
  readonly agent = new AgentSim(this.store, this.clock);
  // The store-driven leader loops as a manager runs them (allocator included).
  readonly leaderLoops = createLeaderLoops({ store: this.store, clock: this.clock });
  readonly #abort = new AbortController();
  #done: Promise<void> = Promise.resolve();
  /** Every state a task was seen in, in order. */
  readonly seen = new Map<string, string[]>();

  async start(nodes: string[]): Promise<void> {
    await this.store.update((tx) => {
      tx.create('clusters', newCluster('c1'));
      ensureIngressNetwork(tx);
      for (const id of nodes) {
        const n = newNode(id);
        n.status.addr = `192.168.1.${nodes.indexOf(id) + 10}`;
        tx.create('nodes', n);
      }
    });
    const watcher = this.store.watch({ tables: ['tasks'], signal: this.#abort.signal });
    void (async () => {
      for await (const e of watcher) {
        if (e.action === 'commit' || e.table !== 'tasks') continue;
        const states = this.seen.get(e.object.id) ?? [];
        if (states.at(-1) !== e.object.status.state) states.push(e.object.status.state);
        this.seen.set(e.object.id, states);
      }
    })();
    this.#done = runControlLoops(this.leaderLoops.loops, this.#abort.signal);
    await this.settle();
  }

  async stop(): Promise<void> {
    this.#abort.abort();
    await this.#done;
  }

  async settle(): Promise<void> {
    for (let i = 0; i < 200; i++) {
      await turn();
      await turn();
      if ((await this.agent.step()) === 0) {
        await turn();
        if ((await this.agent.step()) === 0) return;
      }
    }
    throw new Error('cluster did not settle');
  }

  async addNetwork(
    id: string,
    name: string,
    change: (n: NewObject<'networks'>) => void = () => undefined,
  ): Promise<void> {
    const n = newNetwork(id, name);
    n.spec.driverConfig = { name: 'overlay', options: {} };
    change(n);
    await this.store.update((tx) => tx.create('networks', n));
    await this.settle();
  }

  async addService(id: string, replicas: number, change: (s: NewObject<'services'>) => void): Promise<void> {
    const s = newService(id, id, { kind: 'replicated', replicas });
    change(s);
    await this.store.update((tx) => tx.create('services', s));
    await this.settle();
  }

  async changeService(id: string, change: (s: Service) => void): Promise<void> {
    await this.store.update((tx) => {
      const s = structuredClone(tx.get('services', id)!);
      change(s);
      tx.update('services', s);
    });
    await this.settle();
  }

  network(name: string): Network {
    return this.store.view((tx) => tx.getByName('networks', name)!);
  }

  service(id: string): Service {
    return this.store.view((tx) => tx.get('services', id)!);
  }

  running(serviceId: string): Task[] {
    return this.store
      .view((tx) => tx.find('tasks', 'serviceId', serviceId))
      .filter((t) => t.status.state === 'running')
      .sort((a, b) => a.slot - b.slot);
  }

  addresses(serviceId: string, networkId: string): string[] {
    return this.running(serviceId).flatMap(
      (t) => t.networksAttachments.find((a) => a.networkId === networkId)?.addresses ?? [],
    );
  }

  used(networkId: string): number {
    return this.leaderLoops.allocator!.ledger.network(networkId)?.pool.used ?? -1;
  }
}

const onNetwork =
  (...targets: string[]) =>
  (s: NewObject<'services'>): void => {
    s.spec.taskTemplate.networks = targets.map((target) => ({ target, aliases: [], driverOpts: {} }));
  };

test('the ingress network gets 10.0.0.0/24 and VNI 4096; every node an ingress sandbox address', async () => {
  const c = new Cluster();
  await c.start(['n1', 'n2']);
  const ingress = c.network('ingress');
  assert.deepEqual(ingress.ipam?.configs, [{ subnet: '10.0.0.0/24', gateway: '10.0.0.1' }]);
  assert.equal(ingress.driverState?.options[VXLANID_OPTION], '4096');
  const nodes = c.store.view((tx) => tx.list('nodes')).sort((a, b) => a.id.localeCompare(b.id));
  assert.deepEqual(
    nodes.map((n) => n.attachments),
    [
      [{ networkId: ingress.id, addresses: ['10.0.0.2/24'] }],
      [{ networkId: ingress.id, addresses: ['10.0.0.3/24'] }],
    ],
  );
  await c.stop();
});

test('network + service with 3 replicas: VIP and 3 addresses; scale down frees; remove frees the VIP', async () => {
  const c = new Cluster();
  await c.start(['n1', 'n2']);
  await c.addNetwork('net1', 'overnet');
  const net = c.network('overnet');
  assert.deepEqual(net.ipam?.configs, [{ subnet: '10.0.1.0/24', gateway: '10.0.1.1' }]);
  assert.equal(net.driverState?.options[VXLANID_OPTION], '4097');

  await c.addService('web', 3, onNetwork('net1'));
  assert.deepEqual(c.service('web').endpoint?.virtualIPs, [{ networkId: 'net1', addr: '10.0.1.2/24' }]);
  assert.deepEqual(c.addresses('web', 'net1'), ['10.0.1.3/24', '10.0.1.4/24', '10.0.1.5/24']);
  for (const t of c.running('web')) {
    assert.deepEqual(
      c.seen.get(t.id)?.slice(0, 3),
      ['new', 'pending', 'assigned'],
      'allocated before scheduling',
    );
  }
  assert.equal(c.used('net1'), 4);
  assert.ok(
    c.store.view((tx) => networkUser(tx, net)),
    'the network is in use',
  );

  await c.changeService('web', (s) => (s.spec.mode = { kind: 'replicated', replicas: 1 }));
  assert.deepEqual(c.addresses('web', 'net1'), ['10.0.1.3/24']);
  assert.equal(c.used('net1'), 2, 'the stopped tasks gave their addresses back');

  // New tasks get addresses the network has not handed out yet before the freed ones.
  await c.changeService('web', (s) => (s.spec.mode = { kind: 'replicated', replicas: 3 }));
  assert.deepEqual(c.addresses('web', 'net1'), ['10.0.1.3/24', '10.0.1.6/24', '10.0.1.7/24']);

  await c.store.update((tx) => tx.delete('services', 'web'));
  await c.settle();
  assert.equal(c.used('net1'), 0, 'the VIP and the task addresses are free');
  assert.equal(
    c.store.view((tx) => networkUser(tx, net)),
    undefined,
  );
  await c.stop();
});

test('tasks without networks go to pending and run; published ports are numbered', async () => {
  const c = new Cluster();
  await c.start(['n1']);
  await c.addService('plain', 2, () => undefined);
  assert.equal(c.running('plain').length, 2);
  assert.deepEqual(c.running('plain')[0]!.networksAttachments, []);
  assert.equal(c.service('plain').endpoint, undefined);

  await c.addService('pub', 1, (s) => {
    s.spec.endpointSpec = {
      mode: 'vip',
      ports: [
        { protocol: 'tcp', targetPort: 80, publishedPort: 8080, publishMode: 'ingress' },
        { protocol: 'tcp', targetPort: 443, publishedPort: 0, publishMode: 'ingress' },
      ],
    };
  });
  const ingress = c.network('ingress');
  const endpoint = c.service('pub').endpoint!;
  assert.deepEqual(
    endpoint.ports.map((p) => p.publishedPort),
    [8080, 30000],
  );
  assert.deepEqual(endpoint.virtualIPs, [{ networkId: ingress.id, addr: '10.0.0.3/24' }]);
  assert.deepEqual(c.running('pub')[0]!.networksAttachments, [
    { networkId: ingress.id, addresses: ['10.0.0.4/24'], aliases: [] },
  ]);
  assert.ok(
    c.store.view((tx) => networkUser(tx, ingress)),
    'the ingress network is in use',
  );

  // A conflicting service written past the API is not allocated: its task waits, with the reason.
  await c.addService('clash', 1, (s) => {
    s.spec.endpointSpec = {
      mode: 'vip',
      ports: [{ protocol: 'tcp', targetPort: 80, publishedPort: 8080, publishMode: 'ingress' }],
    };
  });
  const [waiting] = c.store.view((tx) => tx.find('tasks', 'serviceId', 'clash'));
  assert.equal(waiting?.status.state, 'new');
  assert.match(waiting?.status.err ?? '', /published port 8080\/tcp is already in use by service pub/);

  // Once the port is free, it goes on.
  await c.store.update((tx) => tx.delete('services', 'pub'));
  await c.settle();
  assert.equal(c.running('clash').length, 1);
  assert.equal(c.running('clash')[0]!.status.err, undefined);
  await c.stop();
});

test('a new leader rebuilds the ledger from the store and changes nothing', async () => {
  const c = new Cluster();
  await c.start(['n1']);
  await c.addNetwork('net1', 'overnet');
  await c.addService('web', 2, onNetwork('net1'));
  const before = c.store.hash();
  const index = c.store.appliedIndex;
  await c.stop();

  const next = new AllocatorLoop({ store: c.store, clock: c.clock });
  const abort = new AbortController();
  const done = next.run(abort.signal);
  for (let i = 0; i < 5; i++) await turn();
  assert.equal(c.store.appliedIndex, index, 'nothing written');
  assert.equal(c.store.hash(), before);
  assert.equal(next.ledger.network('net1')?.pool.used, 3);
  assert.equal(next.ledger.network('net1')?.vni, 4097);
  abort.abort();
  await done;
});

test('a network with a user subnet and ip-range; an unallocatable one holds its tasks back', async () => {
  const c = new Cluster();
  await c.start(['n1']);
  await c.addNetwork('user', 'backend', (n) => {
    n.spec.ipam = { configs: [{ subnet: '172.28.0.0/16', range: '172.28.5.0/24', gateway: '172.28.0.254' }] };
  });
  assert.deepEqual(c.network('backend').ipam?.configs, [
    { subnet: '172.28.0.0/16', range: '172.28.5.0/24', gateway: '172.28.0.254' },
  ]);
  await c.addService('api', 2, onNetwork('user'));
  // As libnetwork: the range's first address is a host address of the /16.
  assert.deepEqual(c.service('api').endpoint?.virtualIPs, [{ networkId: 'user', addr: '172.28.5.0/16' }]);
  assert.deepEqual(c.addresses('api', 'user'), ['172.28.5.1/16', '172.28.5.2/16']);

  await c.addNetwork(
    'enc',
    'secret',
    (n) => (n.spec.driverConfig = { name: 'overlay', options: { encrypted: '' } }),
  );
  assert.equal(c.network('secret').ipam, undefined);
  await c.addService('hidden', 1, onNetwork('enc'));
  const tasks = c.store.view((tx) => tx.find('tasks', 'serviceId', 'hidden'));
  assert.deepEqual(
    tasks.map((t) => t.status.state),
    ['new'],
  );
  assert.notEqual(tasks[0]?.status.message, ALLOCATED_MESSAGE);
  await c.stop();
});

test('a global service on a network: one allocated task per node', async () => {
  const c = new Cluster();
  await c.start(['n1', 'n2', 'n3']);
  await c.addNetwork('net1', 'overnet');
  const s = newService('mon', 'mon', { kind: 'global' });
  onNetwork('net1')(s);
  await c.store.update((tx) => tx.create('services', s));
  await c.settle();
  const running = c.running('mon');
  assert.equal(running.length, 3);
  assert.deepEqual(new Set(running.map((t) => t.nodeId)), new Set(['n1', 'n2', 'n3']));
  assert.equal(new Set(c.addresses('mon', 'net1')).size, 3);
  await c.stop();
});
