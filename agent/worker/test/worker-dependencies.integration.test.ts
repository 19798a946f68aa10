// The worker and the secrets and configs its tasks reference, on the null executor (which
// resolves them at prepare as the Docker executor does): kept in memory only, forgotten when
// no task that may still run needs them, a missing one rejects its task, and a restarted
// worker waits for the managers' full set before preparing a task that needs them.

import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import type { Config, Secret, Task } from '../../../api/objects/index.js';
import type { AssignmentChange } from '../../../api/wire/assignments.js';
import { NullExecutor } from '../../exec/null/null-executor.js';
import { LABEL_NULL_EXIT_CODE } from '../../exec/null/null-program.js';
import { configRef, makeConfig, makeSecret, secretRef } from '../../exec/test/dependency-fixture.js';
import { makeTask } from '../../exec/test/task-fixture.js';
import { Worker } from '../worker.js';
import { StatusLog } from './status-log.js';

const IMAGE = 'shoal/busybox:latest';
const dirs: string[] = [];
after(async () => {
  await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
});

const change = (
  full: boolean,
  updated: Task[],
  o: { removed?: string[]; secrets?: Secret[]; configs?: Config[] } = {},
): AssignmentChange => ({
  full,
  updated,
  removed: o.removed ?? [],
  secrets: o.secrets ?? [],
  configs: o.configs ?? [],
});

async function setup(executor = new NullExecutor({ images: [IMAGE] })) {
  const dir = await mkdtemp(join(tmpdir(), 'shoal-worker-deps-'));
  dirs.push(dir);
  const log = new StatusLog();
  const worker = await Worker.open({ executor, dataDir: dir });
  log.attach(worker);
  return { dir, log, worker, executor };
}

/** Every byte of every file under `dir`, concatenated. */
async function allBytes(dir: string): Promise<Buffer> {
  const parts: Buffer[] = [];
  for (const entry of await readdir(dir, { recursive: true, withFileTypes: true })) {
    if (entry.isFile()) parts.push(await readFile(join(entry.parentPath, entry.name)));
  }
  return Buffer.concat(parts);
}

test('a task runs with its secret and config; once it is unassigned the worker forgets them', async () => {
  const { log, worker } = await setup();
  const db = makeSecret('db', 'hunter2');
  const conf = makeConfig('app.conf', 'x=1');
  const t = makeTask({ container: { image: IMAGE, secrets: [secretRef(db)], configs: [configRef(conf)] } });
  await worker.apply(change(true, [t], { secrets: [db], configs: [conf] }));
  await log.until(t.id, 'running');
  assert.deepEqual(worker.dependencyCounts(), { secrets: 1, configs: 1 });
  await worker.apply(change(false, [], { removed: [t.id] }));
  await worker.settled();
  assert.deepEqual(worker.dependencyCounts(), { secrets: 0, configs: 0 });
  await worker.close();
});

test('a secret shared by two tasks is kept until the last of them no longer needs it', async () => {
  const { log, worker } = await setup();
  const db = makeSecret('db', 'hunter2');
  const forever = makeTask({ container: { image: IMAGE, secrets: [secretRef(db)] } });
  const finishing = makeTask({
    container: { image: IMAGE, secrets: [secretRef(db)], labels: { [LABEL_NULL_EXIT_CODE]: '0' } },
  });
  await worker.apply(change(true, [forever, finishing], { secrets: [db] }));
  await log.until(finishing.id, 'complete');
  await log.until(forever.id, 'running');
  await worker.settled();
  assert.deepEqual(worker.dependencyCounts(), { secrets: 1, configs: 0 }, 'still needed by one task');
  await worker.apply(change(false, [{ ...forever, desiredState: 'shutdown' }]));
  await log.until(forever.id, 'shutdown');
  await worker.settled();
  assert.deepEqual(worker.dependencyCounts(), { secrets: 0, configs: 0 }, 'finished tasks need nothing');
  await worker.close();
});

test('a task whose secret did not arrive is rejected with a clear error; the others run', async () => {
  const { log, worker } = await setup();
  const missing = makeSecret('db', 'hunter2');
  const broken = makeTask({ container: { image: IMAGE, secrets: [secretRef(missing)] } });
  const fine = makeTask({ container: { image: IMAGE } });
  await worker.apply(change(true, [broken, fine]));
  const rejected = await log.until(broken.id, 'rejected');
  assert.match(
    rejected.err ?? '',
    new RegExp(`^secret db \\(${missing.id}\\) is not available on this node`),
  );
  await log.until(fine.id, 'running');
  await worker.close();
});

test("secret and config data never reach the worker's database", async () => {
  const { dir, log, worker } = await setup();
  const value = 'never-on-disk-' + 'f3b9c1';
  const db = makeSecret('db', value);
  const conf = makeConfig('app.conf', value);
  const t = makeTask({ container: { image: IMAGE, secrets: [secretRef(db)], configs: [configRef(conf)] } });
  await worker.apply(change(true, [t], { secrets: [db], configs: [conf] }));
  await log.until(t.id, 'running');
  await worker.close();
  const bytes = await allBytes(dir);
  assert.ok(bytes.includes(db.id), 'the task and its reference are stored');
  assert.equal(bytes.includes(value), false);
  assert.equal(bytes.includes(db.spec.data), false);
});

test('after a restart a task that needs a secret waits for the full set instead of being rejected', async () => {
  const executor = new NullExecutor({
    images: [IMAGE],
    // The first prepare never finishes: the task stays "preparing" when the worker closes.
    pull: (_image, signal) =>
      new Promise((_resolve, reject) =>
        signal?.addEventListener('abort', () => reject(new Error('aborted'))),
      ),
  });
  const { dir, log, worker } = await setup(executor);
  const db = makeSecret('db', 'hunter2');
  const t = makeTask({ container: { image: IMAGE, secrets: [secretRef(db)] } });
  await worker.apply(change(true, [t], { secrets: [db] }));
  await log.until(t.id, 'preparing');
  await worker.close();

  const restartedExecutor = new NullExecutor({ images: [IMAGE] });
  const log2 = new StatusLog();
  const restarted = await Worker.open({ executor: restartedExecutor, dataDir: dir });
  log2.attach(restarted);
  await restarted.settled();
  assert.deepEqual(log2.states(t.id), [], 'nothing reported before the managers sent the secret');
  await restarted.apply(change(true, [t], { secrets: [db] }));
  await log2.until(t.id, 'running');
  assert.equal(log2.states(t.id).includes('rejected'), false);
  await restarted.close();
});
