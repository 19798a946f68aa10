// The worker on a real Docker Engine (a private dockerd in its own network namespace): exit
// codes, shutdown by desired state, an image that cannot be pulled, logs, and a worker restart
// that adopts the running container instead of restarting it.

import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { Task } from '../../../api/objects/index.js';
import type { AssignmentChange } from '../../../api/wire/assignments.js';
import { DockerExecutor } from '../../exec/docker/docker-executor.js';
import { DEV_IMAGE, startDevEngine, type DevEngine } from '../../exec/test/dev-engine.js';
import { makeTask, withDesired } from '../../exec/test/task-fixture.js';
import { taskName } from '../../../api/task-identity.js';
import { Worker } from '../worker.js';
import { StatusLog } from './status-log.js';

const PULL_TIMEOUT_MS = 5_000;
let engine: DevEngine | undefined;
let dataDir = '';

before(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'shoal-worker-docker-'));
  engine = await startDevEngine();
});

after(async () => {
  await engine?.stop();
  await rm(dataDir, { recursive: true, force: true });
});

function dev(): DevEngine {
  assert.ok(engine !== undefined, 'the dev engine did not start');
  return engine;
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

const sh = (script: string, extra: Partial<Task['spec']['containerSpec']> = {}): Task =>
  makeTask({
    container: { image: DEV_IMAGE, command: ['sh', '-c'], args: [script], stopGracePeriod: 2_000, ...extra },
  });
const FOREVER = "echo up; trap 'exit 0' TERM; while true; do sleep 0.1; done";

async function openWorker(dir: string): Promise<{ worker: Worker; log: StatusLog }> {
  const executor = new DockerExecutor({ socketPath: dev().socketPath, pullTimeoutMs: PULL_TIMEOUT_MS });
  const worker = await Worker.open({ executor, dataDir: dir });
  const log = new StatusLog();
  log.attach(worker);
  return { worker, log };
}

test('worker on Docker: exit codes, start errors, shutdown by desired state, a missing image, logs', async () => {
  const { worker, log } = await openWorker(join(dataDir, 'a'));
  const ok = sh('echo hello; echo warn >&2; exit 0');
  const bad = sh('exit 3');
  const long = sh(FOREVER);
  const missing = makeTask({ container: { image: 'shoal/does-not-exist:1' } });
  const noBinary = makeTask({ container: { image: DEV_IMAGE, command: ['/no/such/binary'] } });
  const started = Date.now();
  await worker.apply(full(ok, bad, long, missing, noBinary));

  const cannotStart = await log.until(noBinary.id, 'failed');
  assert.match(
    cannotStart.err ?? '',
    /^starting container web\.1\.\w+: .*\/no\/such\/binary/,
    `err: ${cannotStart.err}`,
  );

  const rejected = await log.until(missing.id, 'rejected');
  assert.ok(Date.now() - started < PULL_TIMEOUT_MS + 2_000, 'rejected within the pull timeout');
  assert.match(rejected.err ?? '', /docker\.io|not found|denied|unreachable/i, `err: ${rejected.err}`);

  const complete = await log.until(ok.id, 'complete');
  assert.equal(complete.containerStatus?.exitCode, 0);
  const failed = await log.until(bad.id, 'failed');
  assert.equal(failed.err, 'task: non-zero exit (3)');
  assert.equal(failed.containerStatus?.exitCode, 3);

  const lines: string[] = [];
  for await (const e of worker.taskLogs(ok.id)) lines.push(`${e.stream}:${e.line}`);
  assert.deepEqual(lines.sort(), ['stderr:warn', 'stdout:hello']);

  const running = await log.until(long.id, 'running');
  assert.ok((running.containerStatus?.pid ?? 0) > 0);
  await worker.apply(update(withDesired(long, 'shutdown')));
  await log.until(long.id, 'shutdown');
  const raw = await dev().docker.getContainer(taskName(long)).inspect();
  assert.equal(raw.State.Running, false);

  for (const t of [ok, bad, long]) {
    assert.deepEqual(log.states(t.id).slice(0, 5), ['accepted', 'preparing', 'ready', 'starting', 'running']);
  }
  log.assertMonotonic();
  await worker.apply(full());
  await worker.settled();
  assert.deepEqual(await dev().docker.listContainers({ all: true }), []);
  await worker.close();
});

test('worker on Docker: a restarted worker adopts the running container and removes an unassigned one', async () => {
  const dir = join(dataDir, 'b');
  const first = await openWorker(dir);
  const kept = sh(FOREVER);
  const dropped = sh(FOREVER);
  await first.worker.apply(full(kept, dropped));
  const running = await first.log.until(kept.id, 'running');
  await first.log.until(dropped.id, 'running');
  const before = await dev().docker.getContainer(taskName(kept)).inspect();
  await first.worker.close();

  const second = await openWorker(dir);
  await second.worker.apply(full(kept));
  await second.worker.settled();
  const afterRestart = await dev().docker.getContainer(taskName(kept)).inspect();
  assert.equal(afterRestart.Id, running.containerStatus?.containerId);
  assert.equal(afterRestart.Id, before.Id);
  assert.equal(afterRestart.State.StartedAt, before.State.StartedAt, 'not restarted');
  assert.equal(afterRestart.State.Running, true);
  const names = (await dev().docker.listContainers({ all: true })).map((c) => c.Names[0]);
  assert.deepEqual(names, [`/${taskName(kept)}`], 'the unassigned task container is removed');
  assert.deepEqual(second.log.batches.flat(), [], 'no state moved, nothing reported');

  await second.worker.apply(update(withDesired(kept, 'remove')));
  await second.log.until(kept.id, 'shutdown');
  await second.worker.settled();
  assert.deepEqual(await dev().docker.listContainers({ all: true }), []);
  second.log.assertMonotonic();
  await second.worker.close();
});
