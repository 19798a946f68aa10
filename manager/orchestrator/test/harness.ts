// Runs the real control loops against a real MemoryStore with a manual clock, and settles the
// cluster between steps: every loop works off the microtask queue, so once a macrotask turn
// passes they are all idle; the agent sim then takes a pass, until nothing changes.

import { createLeaderLoops, type LeaderLoopSet } from '../../leader-loops.js';
import { runControlLoops } from '../../loop/run-loops.js';
import { createLocalStore } from '../../store/local-proposer.js';
import type { NewObject, Node, ServiceMode, Task } from '../../../api/objects/index.js';
import type { MemoryStore } from '../../store/store.js';
import { newCluster, newNode, newService } from '../../store/test/fixtures.js';
import { AgentSim } from '../../test/agent-sim.js';
import { ManualClock } from '../../../api/clock/manual-clock.js';

const turn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

export class OrchestratorHarness {
  readonly clock = new ManualClock();
  readonly store: MemoryStore = createLocalStore({ clock: this.clock.date });
  readonly leaderLoops: LeaderLoopSet;
  readonly agent = new AgentSim(this.store, this.clock);
  readonly #abort = new AbortController();
  readonly #done: Promise<void>;

  constructor() {
    // The store-driven leader loops without the allocator: the scheduler takes 'new' tasks.
    this.leaderLoops = createLeaderLoops({ store: this.store, clock: this.clock, allocator: false });
    this.#done = runControlLoops(this.leaderLoops.loops, this.#abort.signal);
  }

  async stop(): Promise<void> {
    this.#abort.abort();
    await this.#done;
  }

  /** Lets the loops and the agents run until nothing changes (bounded). */
  async settle(maxRounds = 200): Promise<void> {
    for (let i = 0; i < maxRounds; i++) {
      await turn();
      await turn();
      if ((await this.agent.step()) === 0) {
        await turn();
        if ((await this.agent.step()) === 0) return;
      }
    }
    throw new Error(`cluster did not settle within ${maxRounds} rounds`);
  }

  /** Advances the clock and settles. */
  async advance(ms: number): Promise<void> {
    this.clock.advance(ms);
    await this.settle();
  }

  async addCluster(historyLimit = 5): Promise<void> {
    const c = newCluster('cluster1');
    c.spec.orchestration.taskHistoryRetentionLimit = historyLimit;
    await this.store.update((tx) => tx.create('clusters', c));
  }

  async addNode(id: string, change: (n: NewObject<'nodes'>) => void = () => undefined): Promise<void> {
    const n = newNode(id);
    // 8 GiB (the store fixture's `8 << 30` overflows 32-bit arithmetic to 0).
    n.description!.resources.memoryBytes = 8 * 2 ** 30;
    change(n);
    await this.store.update((tx) => tx.create('nodes', n));
  }

  async changeNode(id: string, change: (n: Node) => Node): Promise<void> {
    await this.store.update((tx) => tx.update('nodes', change(tx.get('nodes', id)!)));
  }

  async addService(
    id: string,
    mode: ServiceMode,
    change: (s: NewObject<'services'>) => void = () => undefined,
  ): Promise<void> {
    const s = newService(id, `svc-${id}`, mode);
    change(s);
    await this.store.update((tx) => tx.create('services', s));
  }

  async changeService(
    id: string,
    change: (s: NewObject<'services'>) => NewObject<'services'>,
  ): Promise<void> {
    await this.store.update((tx) => {
      const s = tx.get('services', id)!;
      tx.update('services', { ...change(structuredClone(s)), meta: s.meta });
    });
  }

  tasks(serviceId: string): Task[] {
    return this.store.view((tx) => tx.find('tasks', 'serviceId', serviceId)).sort((a, b) => a.slot - b.slot);
  }

  /** Tasks of the service that are running and meant to. */
  running(serviceId: string): Task[] {
    return this.tasks(serviceId).filter((t) => t.status.state === 'running' && t.desiredState === 'running');
  }

  /** Running tasks per node, e.g. { n1: 2, n2: 1 }. */
  spread(serviceId: string): Record<string, number> {
    const out: Record<string, number> = {};
    for (const t of this.running(serviceId)) out[t.nodeId!] = (out[t.nodeId!] ?? 0) + 1;
    return out;
  }
}
