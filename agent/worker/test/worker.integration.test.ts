// The worker on the null executor: lifecycle, desired-state changes, unassignment, restart
// with adoption, persistence and batching. Fast and deterministic: no engine, no sleeps.

import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import type { Task } from '../../../api/objects/index.js';
import type { AssignmentChange } from '../../../api/wire/assignments.js';
import { NullExecutor } from '../../exec/null/null-executor.js';
import { LABEL_NULL_EXIT_CODE, LABEL_NULL_STDOUT } from '../../exec/null/null-program.js';
import { makeTask, withDesired } from '../../exec/test/task-fixture.js';
import { TaskNotFoundError } from '../errors.js';
import { Worker } from '../worker.js';
import { StatusLog } from './status-log.js';

const IMAGE = 'shoal/busybox:latest';
const dirs: string[] = [];
after(async () => {
  await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
});

async function dataDir(): Promise<string> {
  const d = await mkdtemp(join(tmpdir(), 'shoal-worker-'));
  dirs.push(d);
  return d;
}

/** A clock that moves one second per reading, so timestamps are distinct and ordered. */
function steppingClock(): () => Date {
  let t = Date.parse('2030-01-01T00:00:00Z');
  return () => new Date((t += 1000));
}

const full = (...tasks: Task[]): AssignmentChange => ({
  full: true,
  updated: tasks,
  removed: [],
  secrets: [],
  configs: [],
});
const update = (...tasks: Task[]): AssignmentChange => ({
  full: false,
  updated: tasks,
  removed: [],
  secrets: [],
  configs: [],
});
const unassign = (...ids: string[]): AssignmentChange => ({
  full: false,
  updated: [],
  removed: ids,
  secrets: [],
  configs: [],
});

const exiting = (code: number, stdout = ''): Task =>
  makeTask({
    container: {
      image: IMAGE,
      labels: { [LABEL_NULL_EXIT_CODE]: String(code), [LABEL_NULL_STDOUT]: stdout },
    },
  });
const forever = (): Task => makeTask({ container: { image: IMAGE } });

async function setup(executor = new NullExecutor({ images: [IMAGE] })) {
  const dir = await dataDir();
  const log = new StatusLog();
  const worker = await Worker.open({ executor, dataDir: dir, now: steppingClock() });
  log.attach(worker);
  return { dir, log, worker, executor };
}

test('a task that exits 0 goes accepted → preparing → ready → starting → running → complete', async () => {
  const { log, worker, executor } = await setup();
  const t = exiting(0);
  await worker.apply(full(t));
  const done = await log.until(t.id, 'complete');
  assert.deepEqual(log.states(t.id), ['accepted', 'preparing', 'ready', 'starting', 'running', 'complete']);
  assert.equal(done.message, 'finished');
  assert.equal(done.containerStatus?.exitCode, 0);
  const running = await log.until(t.id, 'running');
  const containerId = (await executor.listManaged()).find((c) => c.taskId === t.id)?.containerId;
  assert.equal(running.containerStatus?.containerId, containerId);
  log.assertMonotonic();
  await worker.close();
});

test('a task that exits 3 fails with its exit code', async () => {
  const { log, worker } = await setup();
  const t = exiting(3);
  await worker.apply(full(t));
  const failed = await log.until(t.id, 'failed');
  assert.equal(failed.err, 'task: non-zero exit (3)');
  assert.equal(failed.containerStatus?.exitCode, 3);
  log.assertMonotonic();
  await worker.close();
});

test('a task whose image cannot be pulled is rejected with the engine message', async () => {
  const { log, worker } = await setup();
  const t = makeTask({ container: { image: 'shoal/nope:1' } });
  await worker.apply(full(t));
  const rejected = await log.until(t.id, 'rejected');
  assert.match(rejected.err ?? '', /pull access denied for shoal\/nope:1/);
  assert.deepEqual(log.states(t.id), ['accepted', 'preparing', 'rejected']);
  for await (const e of worker.taskLogs(t.id))
    assert.fail(`a task without container has no logs, got ${e.line}`);
  await worker.close();
});

test('desired shutdown stops a running task; desired remove then removes its container', async () => {
  const { log, worker, executor } = await setup();
  const t = forever();
  await worker.apply(full(t));
  const running = await log.until(t.id, 'running');
  assert.ok((running.containerStatus?.pid ?? 0) > 0, 'a running task reports its pid');
  await worker.apply(update(withDesired(t, 'shutdown')));
  const shut = await log.until(t.id, 'shutdown');
  assert.equal(shut.message, 'shutdown');
  const managed = await executor.listManaged();
  assert.equal(managed.find((c) => c.taskId === t.id)?.running, false, 'stopped but kept');
  await worker.apply(update(withDesired(t, 'remove')));
  await worker.settled();
  assert.equal(
    (await executor.listManaged()).find((c) => c.taskId === t.id),
    undefined,
  );
  assert.deepEqual(log.states(t.id), ['accepted', 'preparing', 'ready', 'starting', 'running', 'shutdown']);
  await worker.close();
});

test('a running task on an overlay keeps serving for the drain time before it is stopped', async () => {
  const dir = await dataDir();
  const log = new StatusLog();
  const drainMs = 1000;
  const worker = await Worker.open({
    executor: new NullExecutor({ images: [IMAGE] }),
    dataDir: dir,
    now: steppingClock(),
    drainMs,
  });
  log.attach(worker);
  const balanced = forever();
  balanced.networksAttachments = [{ networkId: 'overnet', addresses: ['10.0.1.5/24'], aliases: [] }];
  const plain = forever();
  await worker.apply(full(balanced, plain));
  await log.until(balanced.id, 'running');
  await log.until(plain.id, 'running');
  const asked = Date.now();
  await worker.apply(update(withDesired(balanced, 'shutdown'), withDesired(plain, 'shutdown')));
  await log.until(plain.id, 'shutdown');
  assert.ok(
    !log.states(balanced.id).includes('shutdown'),
    'the balanced task still runs when the plain one is stopped',
  );
  await log.until(balanced.id, 'shutdown');
  assert.ok(Date.now() - asked >= drainMs, `stopped after ${Date.now() - asked} ms, not before ${drainMs}`);
  await worker.close();
});

test('a task no longer assigned is shut down and removed without further reports', async () => {
  const { log, worker, executor } = await setup();
  const a = forever();
  const b = forever();
  await worker.apply(full(a, b));
  await log.until(a.id, 'running');
  await log.until(b.id, 'running');
  await worker.apply(unassign(a.id));
  await worker.apply(full(withDesired(b, 'running')));
  await worker.settled();
  assert.deepEqual(
    (await executor.listManaged()).map((c) => c.taskId),
    [b.id],
  );
  assert.equal(log.states(a.id).at(-1), 'running', 'no report after unassignment');
  assert.deepEqual(
    worker.statuses().map((r) => r.taskId),
    [b.id],
  );
  assert.throws(() => worker.taskLogs(a.id), TaskNotFoundError);
  await worker.close();
});

test('a full assignment set removes tasks missing from it', async () => {
  const { log, worker, executor } = await setup();
  const a = forever();
  const b = forever();
  await worker.apply(full(a, b));
  await log.until(b.id, 'running');
  await worker.apply(full(a));
  await worker.settled();
  assert.deepEqual(
    (await executor.listManaged()).map((c) => c.taskId),
    [a.id],
  );
  await worker.close();
});

test('after a restart the worker adopts running containers and removes those of unassigned tasks', async () => {
  const executor = new NullExecutor({ images: [IMAGE] });
  const { dir, log, worker } = await setup(executor);
  const kept = forever();
  const dropped = forever();
  const finished = exiting(0);
  await worker.apply(full(kept, dropped, finished));
  const before = await log.until(kept.id, 'running');
  await log.until(dropped.id, 'running');
  await log.until(finished.id, 'complete');
  const startedBefore = (await executor.controller(kept).inspect())?.startedAt;
  await worker.close();
  assert.equal(
    (await executor.listManaged()).filter((c) => c.running).length,
    2,
    'closing leaves containers running',
  );

  const log2 = new StatusLog();
  const restarted = await Worker.open({ executor, dataDir: dir, now: steppingClock() });
  log2.attach(restarted);
  assert.deepEqual(
    restarted
      .statuses()
      .map((r) => `${r.taskId}:${r.status.state}`)
      .sort(),
    [`${kept.id}:running`, `${dropped.id}:running`, `${finished.id}:complete`].sort(),
  );
  await restarted.apply(full(kept, finished));
  await restarted.settled();
  const after = await executor.controller(kept).inspect();
  assert.equal(after?.containerId, before.containerStatus?.containerId, 'same container');
  assert.equal(after?.startedAt, startedBefore, 'not restarted');
  assert.equal(after?.running, true);
  assert.deepEqual((await executor.listManaged()).map((c) => c.taskId).sort(), [kept.id, finished.id].sort());
  assert.deepEqual(log2.batches.flat(), [], 'nothing to report: no state moved');
  await restarted.close();
});

test('a restarted worker with no records adopts by the full assignment and removes strangers', async () => {
  const executor = new NullExecutor({ images: [IMAGE] });
  const first = await setup(executor);
  const t = forever();
  const stranger = forever();
  await first.worker.apply(full(t, stranger));
  await first.log.until(t.id, 'running');
  await first.log.until(stranger.id, 'running');
  const id = (await executor.controller(t).inspect())?.containerId;
  await first.worker.close();

  // A fresh data dir (the database was lost): the managers' view is the baseline.
  const second = await setup(executor);
  const seen = { ...t, status: { ...t.status, state: 'running' as const, message: 'started' } };
  await second.worker.apply(full(seen));
  await second.worker.settled();
  assert.equal((await executor.controller(t).inspect())?.containerId, id);
  assert.deepEqual(
    (await executor.listManaged()).map((c) => c.taskId),
    [t.id],
  );
  await second.worker.apply(update(withDesired(seen, 'shutdown')));
  await second.log.until(t.id, 'shutdown');
  assert.deepEqual(second.log.states(t.id), ['shutdown']);
  await second.worker.close();
});

test('desired state ready prepares without starting; running then starts it once', async () => {
  const { log, worker, executor } = await setup();
  const t = { ...forever(), desiredState: 'ready' as const };
  await worker.apply(full(t));
  await log.until(t.id, 'ready');
  await worker.settled();
  assert.equal((await executor.controller(t).inspect())?.startedAt, undefined);
  await worker.apply(update(withDesired(t, 'running')));
  await log.until(t.id, 'running');
  await worker.apply(update(withDesired(t, 'running')));
  await worker.settled();
  assert.deepEqual(log.states(t.id), ['accepted', 'preparing', 'ready', 'starting', 'running']);
  await worker.close();
});

test('a shutdown that arrives while the image is pulled stops the task before it starts', async () => {
  let release: () => void = () => undefined;
  const gate = new Promise<void>((r) => (release = r));
  const pulls: string[] = [];
  const executor = new NullExecutor({
    pull: async (image, signal) => {
      pulls.push(image);
      await Promise.race([gate, new Promise((r) => signal?.addEventListener('abort', r))]);
    },
  });
  const { log, worker } = await setup(executor);
  const t = forever();
  await worker.apply(full(t));
  await log.until(t.id, 'preparing');
  await worker.apply(update(withDesired(t, 'shutdown')));
  await log.until(t.id, 'shutdown');
  release();
  await worker.settled();
  assert.deepEqual(log.states(t.id), ['accepted', 'preparing', 'shutdown']);
  assert.deepEqual(pulls, [IMAGE]);
  assert.equal(await executor.controller(t).inspect(), undefined, 'never created');
  await worker.close();
});

test('task logs come from the task container; statuses of one tick come in one batch', async () => {
  const { log, worker } = await setup();
  const a = exiting(0, 'hello\nworld');
  const b = exiting(0);
  await worker.apply(full(a, b));
  await log.until(a.id, 'complete');
  await log.until(b.id, 'complete');
  const lines: string[] = [];
  for await (const e of worker.taskLogs(a.id)) lines.push(`${e.stream}:${e.line}`);
  assert.deepEqual(lines, ['stdout:hello', 'stdout:world']);
  assert.ok(
    log.batches.some((batch) => new Set(batch.map((r) => r.taskId)).size > 1),
    'changes of both tasks in the same tick share a batch',
  );
  log.assertMonotonic();
  await worker.close();
});

test('statuses survive a restart: a reassigned task never reports an older state', async () => {
  const executor = new NullExecutor({ images: [IMAGE] });
  const { dir, log, worker } = await setup(executor);
  const t = exiting(3);
  await worker.apply(full(t));
  await log.until(t.id, 'failed');
  await worker.close();
  const again = await Worker.open({ executor, dataDir: dir, now: steppingClock() });
  const log2 = new StatusLog();
  log2.attach(again);
  // The managers still hold the task as `assigned` (they had not seen the updates yet).
  await again.apply(full(t));
  await again.settled();
  assert.deepEqual(log2.batches.flat(), []);
  assert.equal(again.statuses()[0]?.status.state, 'failed');
  await again.close();
  await assert.rejects(again.apply(full(t)), /worker is closed/);
});

test('a running task’s bound host-mode ports are reported in its status, and kept by later states', async () => {
  const { log, worker } = await setup();
  const t = forever();
  const port = { protocol: 'tcp', targetPort: 80, publishedPort: 8081, publishMode: 'host' } as const;
  worker.publishPorts(t.id, [port]); // not assigned yet: nothing
  await worker.apply(full(t));
  await log.until(t.id, 'running');
  worker.publishPorts(t.id, [port]);
  worker.publishPorts(t.id, [port]); // a repeat reports nothing
  await worker.settled();
  const running = log.of(t.id).filter((s) => s.state === 'running');
  assert.equal(running.length, 2, 'running, then running with its ports');
  assert.deepEqual(running[1]?.portStatus, { ports: [port] });
  assert.equal(running[1]?.containerStatus?.pid, running[0]?.containerStatus?.pid);
  await worker.apply(update(withDesired(t, 'shutdown')));
  const shut = await log.until(t.id, 'shutdown');
  assert.deepEqual(shut.portStatus, { ports: [port] });
  worker.publishPorts(t.id, []); // not running any more: nothing
  await worker.settled();
  assert.equal(log.of(t.id).length, log.of(t.id).findIndex((s) => s.state === 'shutdown') + 1);
  log.assertMonotonic();
  await worker.close();
});

test('a task the executor cannot take is rejected with the reason; the others run', async () => {
  const bad = forever();
  class PickyExecutor extends NullExecutor {
    override controller(task: Task): ReturnType<NullExecutor['controller']> {
      if (task.id === bad.id) throw new Error('container spec cannot be built');
      return super.controller(task);
    }
  }
  const { log, worker, dir } = await setup(new PickyExecutor({ images: [IMAGE] }));
  const a = forever();
  const b = forever();
  await worker.apply(full(a, bad, b));
  await log.until(a.id, 'running');
  await log.until(b.id, 'running');
  const rejected = await log.until(bad.id, 'rejected');
  assert.equal(rejected.err, 'container spec cannot be built');
  assert.deepEqual(log.states(bad.id), ['rejected']);
  // A later copy of it (now rejected in the store) is not reported again, and is not kept.
  await worker.apply(update({ ...bad, status: rejected }));
  await worker.settled();
  assert.deepEqual(log.states(bad.id), ['rejected']);
  assert.deepEqual(
    worker
      .statuses()
      .map((r) => r.taskId)
      .sort(),
    [a.id, b.id].sort(),
  );
  await worker.close();
  // Nor is it tried again after a restart.
  const again = await Worker.open({ executor: new PickyExecutor({ images: [IMAGE] }), dataDir: dir });
  assert.deepEqual(
    again
      .statuses()
      .map((r) => r.taskId)
      .sort(),
    [a.id, b.id].sort(),
  );
  await again.close();
});
