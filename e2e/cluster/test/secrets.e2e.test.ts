// Secrets and configs on a three-host lab cluster, driven with the unmodified docker CLI: the
// lifecycle (create, ls, inspect without data, rm refused while in use), a task that reads its
// secret and config with the owner and mode it asked for from a tmpfs, a node that runs no such
// task holding no copy, and nothing left on the node once the service is gone.

import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { ShoalLab, eventually } from '../shoal-lab.js';
import { ok, rows } from '../cli-output.js';
import { execInTask } from '../task-exec.js';

const SECRET = 'pw-5f1c7e2b9a-never-on-disk';
const CONFIG = 'listen=8080\n';

let s: ShoalLab;
let files: string;

before(async () => {
  files = mkdtempSync(join(tmpdir(), 'shoal-secrets-e2e-'));
  writeFileSync(join(files, 'db'), SECRET, { mode: 0o600 });
  writeFileSync(join(files, 'app.conf'), CONFIG);
  s = await ShoalLab.create('secrets', 3);
  await ok(s.docker(0, ['swarm', 'init', '--advertise-addr', s.addr(0)]));
  const token = (await ok(s.docker(0, ['swarm', 'join-token', '-q', 'worker']))).trim();
  for (const h of [1, 2]) await ok(s.docker(h, ['swarm', 'join', '--token', token, `${s.addr(0)}:2377`]));
  await eventually('three ready nodes', async () => {
    const ready = rows(await ok(s.docker(0, ['node', 'ls']))).filter((r) => r.includes('Ready'));
    return ready.length === 3 ? ready : undefined;
  });
});

after(async () => {
  await s?.destroy();
  rmSync(files, { recursive: true, force: true });
});

/** Runs `sh -c script` inside host h's running container of `service`. */
function inTask(h: number, service: string, script: string): Promise<string> {
  return execInTask(s, [h], service, script);
}

/** Every file under host h's shoald data root that holds `needle` (grep -r). */
async function filesHolding(h: number, needle: string): Promise<string> {
  const r = await s.lab.exec(h, ['grep', '-rlF', '--', needle, s.dataRoot(h)], { check: false });
  return r.stdout.trim();
}

test('secret and config lifecycle with the docker and shoal CLIs', async () => {
  const id = (await ok(s.docker(0, ['secret', 'create', 'db', join(files, 'db')]))).trim();
  assert.match(id, /^\w{25}$/);
  await ok(s.docker(0, ['config', 'create', 'app', join(files, 'app.conf')]));
  const ls = rows(await ok(s.docker(0, ['secret', 'ls'])));
  assert.ok(
    ls.some((r) => r[0] === id && r[1] === 'db'),
    JSON.stringify(ls),
  );
  const inspect = await ok(s.docker(0, ['secret', 'inspect', 'db']));
  assert.doesNotMatch(inspect, /"Data"/, 'a secret is never returned');
  assert.match(await ok(s.docker(0, ['config', 'inspect', '--pretty', 'app'])), /listen=8080/);
  // The shoal CLI speaks the same endpoints.
  const viaShoal = (await ok(s.shoal(0, ['secret', 'create', 'api-key', join(files, 'db')]))).trim();
  assert.match(await ok(s.shoal(0, ['secret', 'ls'])), new RegExp(`${viaShoal}\\s+api-key`));
  assert.match(await ok(s.shoal(0, ['secret', 'rm', 'api-key'])), /api-key/);
  const dup = await s.docker(0, ['secret', 'create', 'db', join(files, 'db')]);
  assert.notEqual(dup.code, 0);
  assert.match(dup.stderr, /already exists/);
});

test('a task reads its secret and config from a tmpfs, with its owner and mode; other nodes hold no copy', async () => {
  await ok(
    s.docker(0, [
      'service',
      'create',
      '--name',
      'app',
      '--detach',
      '--constraint',
      'node.hostname==node2',
      '--secret',
      'db',
      '--secret',
      'source=db,target=db-400,uid=1000,gid=1000,mode=0400',
      '--config',
      'source=app,target=/etc/app.conf',
      'shoal/busybox',
      'sleep',
      '100000',
    ]),
  );
  assert.equal(await inTask(1, 'app', 'cat /run/secrets/db'), SECRET);
  assert.equal(
    (await inTask(1, 'app', 'stat -c "%a %u %g" /run/secrets/db /run/secrets/db-400')).trim(),
    '444 0 0\n400 1000 1000',
  );
  assert.equal(await inTask(1, 'app', 'cat /etc/app.conf'), CONFIG);
  assert.match(await inTask(1, 'app', 'mount'), /on \/run\/secrets\/db type tmpfs/);

  // In use: refused, with swarmkit's words.
  const rm = await s.docker(0, ['secret', 'rm', 'db']);
  assert.notEqual(rm.code, 0);
  assert.match(rm.stderr, /is in use by the following service: app/);

  // The node running the task keeps it in memory and in the task's tmpfs only; the worker that
  // runs no such task was never sent it.
  assert.equal(await filesHolding(1, SECRET), '', 'the secret is in node2’s data root');
  assert.equal(await filesHolding(2, SECRET), '', 'the secret is in node3’s data root');
  const mounts = await s.lab.exec(2, ['cat', '/proc/self/mounts']);
  assert.doesNotMatch(mounts.stdout, /shoal-secrets/, 'node3 mounted a secrets tmpfs');

  await ok(s.docker(0, ['service', 'rm', 'app']));
  await eventually('node2 releases the task’s secrets tmpfs', async () => {
    const m = await s.lab.exec(1, ['cat', '/proc/self/mounts']);
    return /shoal-secrets/.test(m.stdout) ? undefined : true;
  });
  await ok(s.docker(0, ['secret', 'rm', 'db']));
  await ok(s.docker(0, ['config', 'rm', 'app']));
  assert.deepEqual(rows(await ok(s.docker(0, ['secret', 'ls']))), []);
});
