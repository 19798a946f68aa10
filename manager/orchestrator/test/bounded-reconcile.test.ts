// The reconcilers and the loop kit are bounded whatever a spec says: a plan never holds more
// than one batch of new (or removed) tasks, a rolling-update batch is capped, a delay past what
// a Node timer holds is waited out in full, and one object that throws inside a batched
// transaction is skipped while the others commit.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { pino } from 'pino';
import { createLocalStore } from '../../store/local-proposer.js';
import { InvalidObjectError } from '../../store/errors.js';
import type { Task } from '../../../api/objects/index.js';
import { newNode } from '../../store/test/fixtures.js';
import { ManualClock } from '../../../api/clock/manual-clock.js';
import { reconcileReplicatedJob } from '../jobs/reconcile-replicated-job.js';
import { MAX_TIMER_MS, setLongTimeout } from '../../loop/long-timeout.js';
import { MAX_TASK_CHANGES_PER_SERVICE } from '../pass-limits.js';
import { reconcileReplicated } from '../replicated/reconcile.js';
import { writeEach } from '../../loop/store-writes.js';
import { planBatches } from '../update/update-config.js';
import { service, task } from '../../test/objects.js';

const never = (): boolean => false;

function tasksOf(svc: ReturnType<typeof service>, slots: readonly number[]): Task[] {
  return slots.map((slot) => task(`${svc.id}-t${slot}`, svc, { slot }));
}

const replicatedCases: {
  name: string;
  replicas: number;
  slots: number[];
  limit?: number;
  create: number;
  first?: number;
  remove: number;
  more: boolean;
}[] = [
  {
    name: 'a billion replicas: one batch',
    replicas: 1e9,
    slots: [],
    create: MAX_TASK_CHANGES_PER_SERVICE,
    remove: 0,
    more: true,
  },
  {
    name: 'MAX_SAFE_INTEGER replicas: one batch',
    replicas: Number.MAX_SAFE_INTEGER,
    slots: [],
    create: MAX_TASK_CHANGES_PER_SERVICE,
    remove: 0,
    more: true,
  },
  {
    name: 'a billion replicas, some slots held: fills the gaps first',
    replicas: 1e9,
    slots: [1, 2, 4],
    limit: 3,
    create: 3,
    first: 3,
    remove: 0,
    more: true,
  },
  {
    name: 'within the limit: everything, no more',
    replicas: 5,
    slots: [1],
    create: 4,
    first: 2,
    remove: 0,
    more: false,
  },
  {
    name: 'exactly the limit: no more',
    replicas: 10,
    slots: [],
    limit: 10,
    create: 10,
    first: 1,
    remove: 0,
    more: false,
  },
  {
    name: 'scale down past the limit: highest slots, one batch',
    replicas: 0,
    slots: Array.from({ length: 50 }, (_, i) => i + 1),
    limit: 20,
    create: 0,
    remove: 20,
    more: true,
  },
  {
    name: 'scale down within the limit',
    replicas: 45,
    slots: Array.from({ length: 50 }, (_, i) => i + 1),
    limit: 20,
    create: 0,
    remove: 5,
    more: false,
  },
];

for (const c of replicatedCases) {
  test(`reconcileReplicated bounded: ${c.name}`, () => {
    const svc = service('s1', { kind: 'replicated', replicas: c.replicas });
    const started = process.hrtime.bigint();
    const plan = reconcileReplicated(
      { service: svc, tasks: tasksOf(svc, c.slots), mayRestart: never },
      c.limit,
    );
    const ms = Number(process.hrtime.bigint() - started) / 1e6;
    assert.equal(plan.create.length, c.create);
    assert.equal(plan.remove.length, c.remove);
    assert.equal(plan.more, c.more);
    if (c.first !== undefined) assert.equal(plan.create[0], c.first);
    if (c.remove > 0) {
      const removed = plan.remove.map((t) => t.slot);
      assert.equal(Math.min(...removed), c.slots.length - c.remove + 1, 'the highest slots go first');
    }
    assert.ok(ms < 1000, `planned in ${ms} ms`);
  });
}

test('reconcileReplicated: repeated passes converge a batch at a time', () => {
  const svc = service('s1', { kind: 'replicated', replicas: 25 });
  const tasks: Task[] = [];
  const sizes: number[] = [];
  for (let pass = 0; pass < 10; pass++) {
    const plan = reconcileReplicated({ service: svc, tasks, mayRestart: never }, 10);
    sizes.push(plan.create.length);
    for (const slot of plan.create) tasks.push(task(`t${slot}`, svc, { slot }));
    if (!plan.more) break;
  }
  assert.deepEqual(sizes, [10, 10, 5]);
  assert.deepEqual(
    tasks.map((t) => t.slot),
    Array.from({ length: 25 }, (_, i) => i + 1),
  );
});

const jobCases: {
  name: string;
  maxConcurrent: number;
  totalCompletions: number;
  completed: number[];
  create: number;
  more: boolean;
}[] = [
  {
    name: 'a billion completions, all at once: one batch',
    maxConcurrent: 0,
    totalCompletions: 1e9,
    completed: [],
    create: MAX_TASK_CHANGES_PER_SERVICE,
    more: true,
  },
  {
    name: 'a billion completions and concurrency: one batch',
    maxConcurrent: 1e9,
    totalCompletions: 1e9,
    completed: [],
    create: MAX_TASK_CHANGES_PER_SERVICE,
    more: true,
  },
  {
    name: 'a billion completions, 3 at a time',
    maxConcurrent: 3,
    totalCompletions: 1e9,
    completed: [0, 1],
    create: 3,
    more: false,
  },
  {
    name: 'few completions left',
    maxConcurrent: 0,
    totalCompletions: 4,
    completed: [0, 1, 2],
    create: 1,
    more: false,
  },
];

for (const c of jobCases) {
  test(`reconcileReplicatedJob bounded: ${c.name}`, () => {
    const svc = service('j1', {
      kind: 'replicatedJob',
      maxConcurrent: c.maxConcurrent,
      totalCompletions: c.totalCompletions,
    });
    const tasks = c.completed.map((slot) =>
      task(`j1-t${slot}`, svc, { slot, desired: 'complete', state: 'complete' }),
    );
    const plan = reconcileReplicatedJob({ service: svc, tasks, mayRestart: never });
    assert.equal(plan.create.length, c.create);
    assert.equal(plan.more, c.more);
    for (const slot of plan.create) assert.ok(!c.completed.includes(slot));
  });
}

test('planBatches: parallelism 0 or huge is cut into bounded batches', () => {
  const slots = Array.from({ length: 1000 }, (_, i) => i + 1);
  for (const parallelism of [0, 1e9]) {
    const batches = planBatches(slots, parallelism);
    assert.ok(
      batches.every((b) => b.length <= MAX_TASK_CHANGES_PER_SERVICE),
      `parallelism ${parallelism}`,
    );
    assert.deepEqual(batches.flat(), slots);
  }
  assert.deepEqual(
    planBatches(slots, 2).map((b) => b.length),
    Array.from({ length: 500 }, () => 2),
  );
});

test('setLongTimeout waits out delays past 2^31-1 ms, and treats NaN and negatives as now', () => {
  const clock = new ManualClock();
  const fired: string[] = [];
  const year = 365 * 24 * 3600 * 1000;
  setLongTimeout(clock, () => fired.push('year'), year);
  setLongTimeout(clock, () => fired.push('nan'), Number.NaN);
  setLongTimeout(clock, () => fired.push('negative'), -5);
  const cancel = setLongTimeout(clock, () => fired.push('cancelled'), 2 * year);
  clock.advance(0);
  assert.deepEqual(fired.sort(), ['nan', 'negative']);
  clock.advance(MAX_TIMER_MS);
  assert.deepEqual(fired.sort(), ['nan', 'negative'], 'not at the first 2^31-1 ms step');
  clock.advance(year - MAX_TIMER_MS - 1);
  assert.equal(fired.includes('year'), false, 'not a millisecond early');
  clock.advance(1);
  assert.equal(fired.includes('year'), true);
  cancel();
  clock.advance(2 * year);
  assert.equal(fired.includes('cancelled'), false);
});

test('WriteTx.attempt undoes the writes of a unit that throws, and keeps the others', async () => {
  const store = createLocalStore();
  await store.update((tx) => tx.create('nodes', newNode('n0')));
  await store.update((tx) => {
    tx.create('nodes', newNode('n1'));
    assert.throws(
      () =>
        tx.attempt(() => {
          tx.create('nodes', newNode('n2'));
          tx.update('nodes', {
            ...tx.get('nodes', 'n0')!,
            spec: { ...tx.get('nodes', 'n0')!.spec, name: 'x' },
          });
          tx.delete('nodes', 'n1');
          throw new Error('boom');
        }),
      /boom/,
    );
    assert.equal(tx.get('nodes', 'n2'), undefined);
    assert.ok(tx.get('nodes', 'n1') !== undefined);
    assert.notEqual(tx.get('nodes', 'n0')!.spec.name, 'x');
    assert.equal(tx.writes, 1);
    // Nested: an inner failure undoes only the inner unit.
    tx.attempt(() => {
      tx.create('nodes', newNode('n3'));
      assert.throws(() =>
        tx.attempt(() => {
          tx.create('nodes', newNode('n4'));
          throw new Error('inner');
        }),
      );
    });
  });
  const ids = store.view((tx) => tx.list('nodes').map((n) => n.id)).sort();
  assert.deepEqual(ids, ['n0', 'n1', 'n3']);
});

test('writeEach: the item that throws is skipped and logged, the others commit, writes per transaction bounded', async () => {
  const store = createLocalStore();
  const lines: string[] = [];
  const logger = pino({ level: 'error' }, { write: (line: string) => void lines.push(line) });
  const items = Array.from({ length: 25 }, (_, i) => i);
  let transactions = 0;
  const watcher = store.watch({ tables: ['nodes'] });
  const outcome = await writeEach(
    store,
    logger,
    'test writes',
    items,
    (tx, i) => {
      if (i === 7) {
        tx.create('nodes', newNode('half-written'));
        throw new InvalidObjectError('nodes', 'poison');
      }
      for (let k = 0; k < 3; k++) tx.create('nodes', newNode(`n${i}-${k}`));
      return i;
    },
    { writesPerTx: 10, describe: (i) => ({ item: i }) },
  );
  for (const e of watcher.drain()) if (e.action === 'commit') transactions++;
  watcher.close();
  assert.deepEqual(
    outcome.committed.map((c) => c.result),
    items.filter((i) => i !== 7),
  );
  assert.deepEqual(outcome.refused, []);
  const nodes = store.view((tx) => tx.count('nodes'));
  assert.equal(nodes, 24 * 3);
  assert.equal(
    store.view((tx) => tx.get('nodes', 'half-written')),
    undefined,
  );
  // 10 writes per transaction means 4 items (12 writes) at most: 24 good items in >= 6.
  assert.ok(transactions >= 6, `${transactions} transactions`);
  assert.equal(lines.length, 1);
  assert.match(lines[0]!, /"item":7/);
  assert.match(lines[0]!, /skipped it, going on with the others/);
});
