// A spec that slipped past the API (an older version's log, a hand-made write) must not break
// the leader: a replicated service asking for a billion replicas, written straight into a real
// single-manager ReplicatedStore, runs under the manager's real leader loops (allocator,
// orchestrators, scheduler, reaper, supervised by LeaderLoops). Before the fix the replicated
// orchestrator planned all billion slots in one array and V8 aborted the process
// ("invalid size error"); every next leader did the same.
//
// Checked: no transaction creates more than one batch of the poison service's tasks, and they
// grow pass by pass; a service created afterwards still gets its tasks placed; deleting the
// poison service stops creation at once and its tasks are removed; no loop fails.

import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { pino } from 'pino';
import { LeaderLoops } from '../loop/leadership.js';
import { createLeaderLoops } from '../leader-loops.js';
import { MAX_TASK_CHANGES_PER_SERVICE } from '../orchestrator/pass-limits.js';
import { systemClock } from '../../api/clock/clock.js';
import { ReplicatedStore } from '../replication/replicated-store.js';
import { newCluster, newNode, newService } from '../store/test/fixtures.js';

const roots: string[] = [];
after(async () => {
  for (const r of roots) await rm(r, { recursive: true, force: true });
});

let debug = (): string => '';

async function until(what: string, done: () => boolean, ms = 30_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!done()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${debug()}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

test('a billion-replica service written past the API: the leader stays up, grows it a batch at a time, serves others, and deletes it', async () => {
  const root = await mkdtemp(join(tmpdir(), 'shoal-poison-'));
  roots.push(root);
  const failures: string[] = [];
  const logger = pino(
    { level: process.env['SHOAL_TEST_LOG'] ?? 'warn' },
    {
      write: (line: string) => {
        if (/control loop failed|control loop returned/.test(line)) failures.push(line);
        if (process.env['SHOAL_TEST_LOG'] !== undefined) process.stderr.write(line);
      },
    },
  );
  const replicated = await ReplicatedStore.open({
    id: 1,
    dataDir: join(root, 'm1'),
    listen: '127.0.0.1:0',
    logger,
    tickMs: 20,
    bootstrap: new Map([[1, '']]),
  });
  const { store, raft } = replicated;
  await until('leadership', () => raft.isLeader(), 10_000);
  await store.update((tx) => {
    tx.create('clusters', newCluster('c1'));
    tx.create('nodes', newNode('n1'));
  });

  // Creates per transaction, per service, from the store's own change feed.
  const createsPerCommit: number[] = [];
  let createdAfterDelete = 0;
  let deletedAt = Number.POSITIVE_INFINITY;
  let pending = 0;
  const watcher = store.watch({ tables: ['tasks'], actions: ['create'], bufferSize: 1_000_000 });
  const feed = (async () => {
    for await (const e of watcher) {
      if (e.action === 'commit') {
        if (pending > 0) createsPerCommit.push(pending);
        if (e.index > deletedAt) createdAfterDelete += pending;
        pending = 0;
      } else if (e.table === 'tasks' && e.object.serviceId === 'poison') {
        pending++;
      }
    }
  })();

  const { loops: leaderLoops } = createLeaderLoops({ store, clock: systemClock, logger });
  const loops = new LeaderLoops(raft, leaderLoops, logger);
  loops.start();
  debug = () =>
    JSON.stringify(
      store.view((tx) => ({
        web: tx.find('tasks', 'serviceId', 'web').map((t) => [t.status.state, t.status.err, t.nodeId]),
        poison: count('poison'),
        states: tx
          .list('tasks')
          .reduce<Record<string, number>>(
            (a, t) => ((a[t.status.state] = (a[t.status.state] ?? 0) + 1), a),
            {},
          ),
      })),
    );
  const count = (serviceId: string): number => store.view((tx) => tx.count('tasks', 'serviceId', serviceId));
  try {
    // Bypasses the API: nothing between this write and the leader loops bounds the number. Its
    // tasks fit no node (a constraint no node meets), so they pile up pending and the node stays
    // free for the other service: what is checked is the leader, not the cluster's capacity.
    const poison = newService('poison', 'poison', { kind: 'replicated', replicas: 1e9 });
    poison.spec.taskTemplate.placement.constraints = ['node.labels.poison==yes'];
    await store.update((tx) => tx.create('services', poison));
    await until(
      'three batches of the poison service',
      () => count('poison') >= 3 * MAX_TASK_CHANGES_PER_SERVICE,
    );
    assert.ok(
      createsPerCommit.every((n) => n <= MAX_TASK_CHANGES_PER_SERVICE),
      `at most one batch per transaction, saw ${Math.max(...createsPerCommit.slice(0, 1000))}`,
    );

    // Another service still converges while the poison one keeps growing.
    await store.update((tx) =>
      tx.create('services', newService('web', 'web', { kind: 'replicated', replicas: 3 })),
    );
    await until(
      'the web service placed',
      () =>
        store.view((tx) =>
          tx
            .find('tasks', 'serviceId', 'web')
            .filter((t) => t.nodeId === 'n1' && t.status.state === 'assigned'),
        ).length === 3,
    );

    // Deleting the poison service stops creation at its next pass and its tasks go.
    await store.update((tx) => tx.delete('services', 'poison'));
    deletedAt = store.appliedIndex;
    const atDelete = count('poison');
    await until('the poison service tasks removed', () => count('poison') === 0, 60_000);
    assert.ok(atDelete > 0);
    assert.ok(
      createdAfterDelete <= MAX_TASK_CHANGES_PER_SERVICE,
      `${createdAfterDelete}: at most the pass in flight`,
    );
    // Nothing recreates them afterwards.
    const settledAt = store.appliedIndex;
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(count('poison'), 0);
    assert.ok(store.appliedIndex >= settledAt);
    assert.equal(count('web'), 3, 'the other service is untouched');
    assert.ok(raft.isLeader(), 'still leading');
    assert.deepEqual(failures, [], 'no control loop failed');
    assert.ok(createsPerCommit.every((n) => n <= MAX_TASK_CHANGES_PER_SERVICE));
  } finally {
    await loops.stop();
    watcher.close();
    await feed;
    await replicated.close();
  }
});
