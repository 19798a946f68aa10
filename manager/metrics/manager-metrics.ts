// A manager's Prometheus metrics, in the daemon's registry (one per daemon, never prom-client's
// global one: a test process runs several managers). Two kinds:
//   - events, counted where they happen through small hooks handed to the components
//     (proposals timed in the Raft proposer, placements in the scheduler, nodes marked down by
//     the dispatcher, leader changes seen from Raft): a counter increment, nothing more;
//   - state, read at scrape time from the manager attached now (Raft's status, the store's
//     counts, one walk over nodes and tasks, the dispatcher's sessions), so a manager that
//     gains or loses leadership, or is replaced by a promotion or a restart, never leaves a
//     gauge behind.
// Nothing is registered before the first manager attaches: a worker shows none of these. The
// state gauges leave the registry when the manager detaches (demoted, left the swarm); the
// counters stay, as a process's counters do.

import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import { TABLE_NAMES, TASK_STATES } from '../../api/objects/index.js';
import type { RaftNode } from '../raft/driver/raft-node.js';
import type { MemoryStore } from '../store/store.js';
import { countTasks, type TaskCounts } from './task-counts.js';

/** What the state gauges read from the running manager. */
export interface ManagerMetricsSource {
  readonly store: MemoryStore;
  readonly raft: Pick<RaftNode, 'status' | 'isLeader' | 'leader' | 'onLeadershipChange'>;
  /** Agent sessions this manager serves (0 unless it leads). */
  sessionCount(): number;
  /** Bytes of the latest Raft snapshot taken or installed. */
  snapshotBytes(): number;
}

/** Proposal latencies: a group commit is milliseconds; seconds mean a slow disk or a lost quorum. */
const PROPOSAL_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

type AnyMetric = Counter | Gauge | Histogram;

export class ManagerMetrics {
  /** Hook for the Raft proposer: from propose until applied on this leader. */
  readonly proposalSeconds: Histogram;
  /** Hook for the scheduler: placements committed. */
  readonly placements: Counter;
  /** Hook for the dispatcher: nodes marked down for missed heartbeats. */
  readonly heartbeatsMissed: Counter;
  readonly #leaderChanges: Counter;
  readonly #events: readonly AnyMetric[];
  readonly #state: readonly Gauge[];
  readonly #stateNames: string[] = [];
  readonly #registry: Registry;
  #eventsRegistered = false;
  #source: ManagerMetricsSource | undefined;
  #unwatch: () => void = () => undefined;
  /** The last walk over tasks, kept while the store has applied nothing new. */
  #walk: { store: MemoryStore; index: number; counts: TaskCounts } | undefined;

  constructor(registry: Registry) {
    this.#registry = registry;
    const none = { registers: [] as Registry[] };
    this.proposalSeconds = new Histogram({
      name: 'shoal_raft_proposal_duration_seconds',
      help: 'Time from proposing a store transaction to Raft until it is applied on this leader',
      buckets: PROPOSAL_BUCKETS,
      ...none,
    });
    this.placements = new Counter({
      name: 'shoal_scheduler_placements_total',
      help: 'Tasks the scheduler assigned to a node (committed)',
      ...none,
    });
    this.heartbeatsMissed = new Counter({
      name: 'shoal_dispatcher_heartbeats_missed_total',
      help: 'Nodes marked down because they missed their heartbeats',
      ...none,
    });
    this.#leaderChanges = new Counter({
      name: 'shoal_raft_leader_changes_total',
      help: 'Changes of the Raft leader this manager has seen',
      ...none,
    });
    this.#events = [this.proposalSeconds, this.placements, this.heartbeatsMissed, this.#leaderChanges];
    this.#state = this.#stateGauges(none);
  }

  /**
   * The manager now running on this node: its state is what the gauges show until the
   * returned function detaches it.
   */
  attach(source: ManagerMetricsSource): () => void {
    this.#detach();
    if (!this.#eventsRegistered) {
      for (const m of this.#events) this.#registry.registerMetric(m);
      this.#eventsRegistered = true;
    }
    for (const g of this.#state) this.#registry.registerMetric(g);
    this.#source = source;
    // A leader already known when the manager attaches (it won its first election while
    // starting) is a change seen, as every later one.
    let lead = source.raft.leader().id;
    if (lead !== 0) this.#leaderChanges.inc();
    this.#unwatch = source.raft.onLeadershipChange((c) => {
      if (c.lead !== 0 && c.lead !== lead) this.#leaderChanges.inc();
      lead = c.lead;
    });
    return () => {
      if (this.#source === source) this.#detach();
    };
  }

  #detach(): void {
    if (this.#source === undefined) return;
    this.#unwatch();
    this.#unwatch = () => undefined;
    this.#source = undefined;
    this.#walk = undefined;
    for (const name of this.#stateNames) this.#registry.removeSingleMetric(name);
  }

  /** The walk over nodes and tasks, done again only when the store has applied something. */
  #taskCounts(s: ManagerMetricsSource): TaskCounts {
    const index = s.store.appliedIndex;
    const w = this.#walk;
    if (w !== undefined && w.store === s.store && w.index === index) return w.counts;
    const counts = s.store.view((tx) => countTasks(tx));
    this.#walk = { store: s.store, index, counts };
    return counts;
  }

  #stateGauges(none: { registers: Registry[] }): Gauge[] {
    // Each gauge's collect function runs at each scrape, on the manager attached then.
    const gauge = (
      config: { name: string; help: string; labelNames?: string[] },
      fill: (s: ManagerMetricsSource, g: Gauge) => void,
    ): Gauge => {
      this.#stateNames.push(config.name);
      const g: Gauge = new Gauge({
        ...config,
        ...none,
        collect: () => {
          const s = this.#source;
          if (s !== undefined) fill(s, g);
        },
      });
      return g;
    };
    const value = (name: string, help: string, read: (s: ManagerMetricsSource) => number): Gauge =>
      gauge({ name, help }, (s, g) => g.set(read(s)));
    return [
      value('shoal_raft_term', 'Current Raft term', (s) => s.raft.status().term),
      value('shoal_raft_commit_index', 'Highest Raft index known committed', (s) => s.raft.status().commit),
      value(
        'shoal_raft_applied_index',
        'Highest Raft index applied to the store',
        (s) => s.raft.status().applied,
      ),
      value('shoal_raft_is_leader', '1 if this manager is the Raft leader, else 0', (s) =>
        s.raft.isLeader() ? 1 : 0,
      ),
      value('shoal_raft_snapshot_size_bytes', 'Size of the latest Raft snapshot taken or installed', (s) =>
        s.snapshotBytes(),
      ),
      value('shoal_dispatcher_sessions', 'Agent sessions this manager serves', (s) => s.sessionCount()),
      gauge(
        {
          name: 'shoal_store_objects',
          help: 'Objects in the replicated store, by kind',
          labelNames: ['kind'],
        },
        (s, g) =>
          s.store.view((tx) => {
            for (const kind of TABLE_NAMES) g.set({ kind }, tx.count(kind));
          }),
      ),
      gauge(
        {
          name: 'shoal_scheduler_pending_tasks',
          help: 'Tasks waiting for a node, by the category of the reason',
          labelNames: ['reason'],
        },
        (s, g) => {
          for (const [reason, n] of this.#taskCounts(s).pending) g.set({ reason }, n);
        },
      ),
      gauge(
        {
          name: 'shoal_node_tasks',
          help: 'Tasks on each node of the store, by state',
          labelNames: ['node', 'node_id', 'state'],
        },
        (s, g) => {
          // Removed nodes must not linger: the series are rebuilt from the store each scrape.
          g.reset();
          for (const n of this.#taskCounts(s).nodes) {
            TASK_STATES.forEach((state, i) =>
              g.set({ node: n.name, node_id: n.nodeId, state }, n.byState[i]!),
            );
          }
        },
      ),
    ];
  }
}
