// The manager's metrics against a real store and a stand-in Raft member: nothing before a
// manager attaches, state read at scrape time (term, indexes, leader, store counts, tasks per
// node and state, pending reasons), leader changes counted, state gauges gone once detached
// while the counters stay.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Registry } from 'prom-client';
import type { LeadershipChange } from '../../raft/driver/raft-node-options.js';
import type { Status } from '../../raft/raw-node.js';
import { StateRole } from '../../raft/types.js';
import { createLocalStore } from '../../store/local-proposer.js';
import { newNode, newService, newTask } from '../../store/test/fixtures.js';
import type { NewObject, TaskState } from '../../../api/objects/index.js';
import { parsePromText, sampleValue, samplesOf } from '../../../api/test/prom-text.js';
import { ManagerMetrics, type ManagerMetricsSource } from '../manager-metrics.js';
import { countTasks } from '../task-counts.js';

class FakeRaft {
  term = 3;
  commit = 40;
  applied = 39;
  lead = 1;
  readonly listeners = new Set<(c: LeadershipChange) => void>();
  status(): Status {
    return {
      id: 1,
      term: this.term,
      vote: 1,
      commit: this.commit,
      applied: this.applied,
      lastIndex: this.commit,
      lead: this.lead,
      role: this.lead === 1 ? StateRole.Leader : StateRole.Follower,
      leadTransferee: 0,
      confState: { voters: [1], learners: [] },
      progress: new Map(),
    };
  }
  isLeader(): boolean {
    return this.lead === 1;
  }
  leader(): { id: number; address: string | undefined } {
    return { id: this.lead, address: undefined };
  }
  onLeadershipChange(l: (c: LeadershipChange) => void): () => void {
    this.listeners.add(l);
    return () => this.listeners.delete(l);
  }
  change(lead: number): void {
    this.lead = lead;
    for (const l of this.listeners) l({ lead, role: StateRole.Follower, term: ++this.term });
  }
}

/** A task as it is once in `state` (with the scheduler's reason, for pending ones). */
function inState(t: NewObject<'tasks'>, state: TaskState, err?: string): NewObject<'tasks'> {
  return { ...t, status: { ...t.status, state, ...(err === undefined ? {} : { err }) } };
}

async function scrape(registry: Registry) {
  return parsePromText(await registry.metrics());
}

test('a manager attached: its state at scrape time; detached: state gauges gone, counters kept', async () => {
  const registry = new Registry();
  const metrics = new ManagerMetrics(registry);
  assert.equal(
    (await registry.metrics()).trim(),
    '',
    'nothing before a manager attaches (a worker shows none)',
  );

  const store = createLocalStore();
  await store.update((tx) => {
    tx.create('nodes', newNode('n1'));
    const { description: _none, ...bare } = newNode('n2');
    tx.create('nodes', bare);
    tx.create('services', newService('s1', 'web'));
    tx.create('tasks', inState(newTask('t1', 's1', 1, 'n1'), 'running'));
    tx.create('tasks', inState(newTask('t2', 's1', 2, 'n1'), 'running'));
    tx.create('tasks', inState(newTask('t3', 's1', 3, 'n2'), 'failed'));
    const pending = (id: string, slot: number, err?: string) =>
      inState(newTask(id, 's1', slot), 'pending', err);
    tx.create('tasks', pending('t4', 4, 'no suitable node (insufficient resources on 2 nodes)'));
    tx.create(
      'tasks',
      pending('t5', 5, 'no suitable node (scheduling constraints not satisfied on 2 nodes)'),
    );
    tx.create('tasks', pending('t6', 6));
  });
  const raft = new FakeRaft();
  let sessions = 2;
  const source: ManagerMetricsSource = {
    store,
    raft,
    sessionCount: () => sessions,
    snapshotBytes: () => 1234,
  };
  const detach = metrics.attach(source);
  metrics.placements.inc(5);
  metrics.proposalSeconds.observe(0.003);

  let m = await scrape(registry);
  assert.equal(sampleValue(m, 'shoal_raft_term'), 3);
  assert.equal(sampleValue(m, 'shoal_raft_commit_index'), 40);
  assert.equal(sampleValue(m, 'shoal_raft_applied_index'), 39);
  assert.equal(sampleValue(m, 'shoal_raft_is_leader'), 1);
  assert.equal(sampleValue(m, 'shoal_raft_snapshot_size_bytes'), 1234);
  assert.equal(sampleValue(m, 'shoal_raft_leader_changes_total'), 1, 'the leader known at attach');
  assert.equal(sampleValue(m, 'shoal_raft_proposal_duration_seconds_count'), 1);
  assert.equal(sampleValue(m, 'shoal_raft_proposal_duration_seconds_bucket', { le: '0.005' }), 1);
  assert.equal(sampleValue(m, 'shoal_dispatcher_sessions'), 2);
  assert.equal(sampleValue(m, 'shoal_dispatcher_heartbeats_missed_total'), 0);
  assert.equal(sampleValue(m, 'shoal_scheduler_placements_total'), 5);
  assert.equal(sampleValue(m, 'shoal_store_objects', { kind: 'tasks' }), 6);
  assert.equal(sampleValue(m, 'shoal_store_objects', { kind: 'nodes' }), 2);
  assert.equal(sampleValue(m, 'shoal_store_objects', { kind: 'services' }), 1);
  assert.equal(sampleValue(m, 'shoal_store_objects', { kind: 'secrets' }), 0);
  assert.equal(sampleValue(m, 'shoal_scheduler_pending_tasks', { reason: 'resources' }), 1);
  assert.equal(sampleValue(m, 'shoal_scheduler_pending_tasks', { reason: 'constraints' }), 1);
  assert.equal(sampleValue(m, 'shoal_scheduler_pending_tasks', { reason: 'none' }), 1);
  assert.equal(sampleValue(m, 'shoal_scheduler_pending_tasks', { reason: 'ports' }), 0);
  assert.equal(sampleValue(m, 'shoal_node_tasks', { node: 'host-n1', state: 'running' }), 2);
  assert.equal(sampleValue(m, 'shoal_node_tasks', { node: 'host-n1', node_id: 'n1', state: 'failed' }), 0);
  assert.equal(sampleValue(m, 'shoal_node_tasks', { node: 'n2', state: 'failed' }), 1, 'no hostname: the ID');
  assert.equal(samplesOf(m, 'shoal_node_tasks').length, 2 * 15, 'every node × every task state');

  // State is read at each scrape: leadership lost, a node removed, a session gone.
  raft.change(2);
  raft.change(2);
  raft.change(0);
  raft.change(1);
  sessions = 0;
  await store.update((tx) => tx.delete('nodes', 'n2'));
  m = await scrape(registry);
  assert.equal(
    sampleValue(m, 'shoal_raft_leader_changes_total'),
    3,
    'then to 2, and back to 1 (none is no leader; 2 twice is one change)',
  );
  assert.equal(sampleValue(m, 'shoal_raft_term'), 7);
  assert.equal(sampleValue(m, 'shoal_dispatcher_sessions'), 0);
  assert.equal(
    samplesOf(m, 'shoal_node_tasks', { node_id: 'n2' }).length,
    0,
    'a removed node leaves no series',
  );
  raft.change(2);
  assert.equal(sampleValue(await scrape(registry), 'shoal_raft_is_leader'), 0);

  detach();
  m = await scrape(registry);
  assert.equal(samplesOf(m, 'shoal_raft_term').length, 0, 'state gauges leave with the manager');
  assert.equal(samplesOf(m, 'shoal_store_objects').length, 0);
  assert.equal(sampleValue(m, 'shoal_scheduler_placements_total'), 5, 'counters stay');
  assert.equal(raft.listeners.size, 0, 'no longer watching the old Raft member');

  // A new manager (promotion, restart) attaches to the same metrics.
  const again = metrics.attach({ ...source, raft: new FakeRaft() });
  assert.equal(sampleValue(await scrape(registry), 'shoal_raft_term'), 3);
  again();
  detach(); // detaching an old manager again changes nothing
});

test('countTasks: one walk, unassigned tasks only in the pending counts', async () => {
  const store = createLocalStore();
  await store.update((tx) => {
    tx.create('nodes', newNode('n1'));
    tx.create('tasks', inState(newTask('t1', 's1', 1), 'pending'));
    tx.create('tasks', inState(newTask('t2', 's1', 2, 'gone'), 'running'));
    // Pending but no longer wanted (scaled down): not waiting for anything.
    tx.create('tasks', inState(newTask('t3', 's1', 3, undefined, 'shutdown'), 'pending'));
  });
  const counts = store.view((tx) => countTasks(tx));
  assert.deepEqual(
    counts.nodes.map((n) => [n.nodeId, n.name, n.byState.reduce((a, b) => a + b, 0)]),
    [['n1', 'host-n1', 0]],
  );
  assert.equal(counts.pending.get('none'), 1);
  assert.equal(
    [...counts.pending.values()].reduce((a, b) => a + b, 0),
    1,
  );
});
