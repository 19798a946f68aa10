// Secrets and configs on a real Docker Engine (a private dockerd, see ../../test/dev-engine.ts),
// through the worker as the agent runs it: the container reads each file at its target with
// its owner and mode, from a tmpfs; the value is in no file under the agent's data root nor the
// engine's; the host tmpfs goes when the task is removed, and a restarted worker sweeps the
// tmpfs of a task unassigned while it was down. A task whose secret is missing is rejected.

import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { after, before, test } from 'node:test';
import type { Config, Secret, Task } from '../../../../api/objects/index.js';
import type { AssignmentChange } from '../../../../api/wire/assignments.js';
import { Worker } from '../../../worker/worker.js';
import { StatusLog } from '../../../worker/test/status-log.js';
import { configRef, makeConfig, makeSecret, secretRef } from '../../test/dependency-fixture.js';
import { DEV_IMAGE, startDevEngine, type DevEngine } from '../../test/dev-engine.js';
import { makeTask } from '../../test/task-fixture.js';
import { taskName } from '../../../../api/task-identity.js';
import { DockerExecutor } from '../docker-executor.js';
import { isMountPoint, SecretMounts } from '../secret-mounts.js';

const run = promisify(execFile);
const FOREVER = "trap 'exit 0' TERM; while true; do sleep 0.1; done";

let engine: DevEngine | undefined;
let dataRoot = '';
let secretsRoot = '';

before(async () => {
  dataRoot = await mkdtemp(join(tmpdir(), 'shoal-agent-data-'));
  secretsRoot = await mkdtemp(join(tmpdir(), 'shoal-secrets-'));
  engine = await startDevEngine();
});

after(async () => {
  await engine?.stop();
  // A test that failed half-way may leave a tmpfs mounted.
  await new SecretMounts(secretsRoot).removeUnassigned(new Set());
  await rm(dataRoot, { recursive: true, force: true });
  await rm(secretsRoot, { recursive: true, force: true });
});

function dev(): DevEngine {
  assert.ok(engine !== undefined, 'the dev engine did not start');
  return engine;
}

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

async function openWorker(name = 'agent'): Promise<{ worker: Worker; log: StatusLog }> {
  const executor = new DockerExecutor({ socketPath: dev().socketPath, pullTimeoutMs: 5_000, secretsRoot });
  const worker = await Worker.open({ executor, dataDir: join(dataRoot, name) });
  const log = new StatusLog();
  log.attach(worker);
  return { worker, log };
}

/** What a command run in the container (`docker exec`) writes to stdout and stderr. */
async function execIn(container: string, cmd: string[]): Promise<string> {
  const exec = await dev()
    .docker.getContainer(container)
    .exec({ Cmd: cmd, AttachStdout: true, AttachStderr: true });
  const stream = await exec.start({ hijack: true, stdin: false });
  const chunks: Buffer[] = [];
  await new Promise<void>((resolve, reject) => {
    stream.on('data', (b: Buffer) => chunks.push(b));
    stream.on('end', resolve);
    stream.on('error', reject);
  });
  // The engine frames each write: 1 byte stream, 3 zero bytes, 4 bytes length (big-endian).
  const raw = Buffer.concat(chunks);
  const out: Buffer[] = [];
  for (let at = 0; at + 8 <= raw.length;) {
    const size = raw.readUInt32BE(at + 4);
    out.push(raw.subarray(at + 8, at + 8 + size));
    at += 8 + size;
  }
  return Buffer.concat(out).toString('utf8');
}

/** Files under `dir` that contain `value` (grep -r -l; none: empty). */
async function filesContaining(dir: string, value: string): Promise<string[]> {
  try {
    const { stdout } = await run('grep', ['-r', '-l', '-F', value, dir]);
    return stdout.split('\n').filter((l) => l !== '');
  } catch (e: unknown) {
    if ((e as { code?: unknown }).code === 1) return [];
    throw e;
  }
}

const exists = (path: string): Promise<boolean> =>
  stat(path).then(
    () => true,
    () => false,
  );

test('a task reads its secret and config from a tmpfs, with owner and mode; removal unmounts it', async () => {
  const { worker, log } = await openWorker();
  const value = 'pw-' + Math.random().toString(36).slice(2);
  const db = makeSecret('db', value);
  const conf = makeConfig('app.conf', 'listen=8080');
  const t = makeTask({
    container: {
      image: DEV_IMAGE,
      command: ['sh', '-c'],
      args: [FOREVER],
      stopGracePeriod: 2_000,
      secrets: [secretRef(db), secretRef(db, { target: 'private', uid: '1000', gid: '1000', mode: 0o400 })],
      configs: [configRef(conf, { target: '/etc/app.conf', mode: 0o644 })],
    },
  });
  const missing = makeSecret('gone', 'x');
  const orphan = makeTask({ container: { image: DEV_IMAGE, secrets: [secretRef(missing)] } });
  await worker.apply(change(true, [t, orphan], { secrets: [db], configs: [conf] }));

  const rejected = await log.until(orphan.id, 'rejected');
  assert.match(
    rejected.err ?? '',
    new RegExp(`^secret gone \\(${missing.id}\\) is not available on this node`),
  );

  await log.until(t.id, 'running');
  // As `docker exec` shows it (exec output, unlike the container's logs, is kept nowhere).
  const name = taskName(t);
  assert.equal(await execIn(name, ['cat', '/run/secrets/db']), value);
  assert.equal(await execIn(name, ['stat', '-c', '%a %u %g', '/run/secrets/db']), '444 0 0\n');
  assert.equal(await execIn(name, ['stat', '-c', '%a %u %g', '/run/secrets/private']), '400 1000 1000\n');
  assert.equal(await execIn(name, ['cat', '/etc/app.conf']), 'listen=8080');
  assert.equal(await execIn(name, ['stat', '-c', '%a', '/etc/app.conf']), '644\n');
  const mounts = (await execIn(name, ['mount']))
    .split('\n')
    .filter((l) => / on (\/run\/secrets\/|\/etc\/app\.conf)/.test(l))
    .map((l) => l.replace(/^(\S+ on \S+ type \S+) \((\w+),.*$/, '$1 $2'))
    .sort();
  assert.deepEqual(mounts, [
    'shoal-secrets on /etc/app.conf type tmpfs ro',
    'shoal-secrets on /run/secrets/db type tmpfs ro',
    'shoal-secrets on /run/secrets/private type tmpfs ro',
  ]);

  const hostDir = join(secretsRoot, t.id);
  assert.equal(await isMountPoint(hostDir), true, 'the task has a tmpfs on the host');
  assert.equal(await exists(join(secretsRoot, orphan.id)), false, 'a rejected task has none');
  assert.deepEqual(await filesContaining(dataRoot, value), [], "not in the agent's data root");
  assert.deepEqual(await filesContaining(dev().dir, value), [], "not in the engine's data root");

  await worker.apply(change(false, [], { removed: [t.id, orphan.id] }));
  await worker.settled();
  assert.equal(await isMountPoint(hostDir), false, 'unmounted once the task is removed');
  assert.equal(await exists(hostDir), false);
  assert.deepEqual(worker.dependencyCounts(), { secrets: 0, configs: 0 });
  await worker.close();
});

test('a restarted worker removes the tmpfs of a task unassigned while it was down', async () => {
  const first = await openWorker();
  const db = makeSecret('db', 'left-over');
  const t = makeTask({
    container: {
      image: DEV_IMAGE,
      command: ['sh', '-c'],
      args: [FOREVER],
      stopGracePeriod: 2_000,
      secrets: [secretRef(db)],
    },
  });
  await first.worker.apply(change(true, [t], { secrets: [db] }));
  await first.log.until(t.id, 'running');
  await first.worker.close();
  const hostDir = join(secretsRoot, t.id);
  assert.equal(await isMountPoint(hostDir), true, 'the running container keeps its tmpfs across a restart');

  // A worker that does not know the task (its database was lost): only the sweep finds it.
  const second = await openWorker('agent-afresh');
  await second.worker.apply(change(true, []));
  await second.worker.settled();
  assert.equal(await isMountPoint(hostDir), false);
  assert.equal(await exists(hostDir), false);
  await second.worker.close();
});
