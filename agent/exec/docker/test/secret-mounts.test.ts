// SecretMounts without mounting anything: a recording stand-in for mount/umount, so the files,
// their owners and modes, the bind mounts and the clean-up are checked in a plain directory.
// (The real tmpfs is exercised in secret-mounts.e2e.test.ts.)

import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import type { HostCommandResult, HostCommands } from '../../../network/overlay/host-commands.js';
import { SecretMountError } from '../../errors.js';
import type { TaskFile } from '../../task-files.js';
import { SecretMounts } from '../secret-mounts.js';

const dirs: string[] = [];
after(async () => {
  await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
});

class RecordingCommands implements HostCommands {
  readonly calls: string[][] = [];
  constructor(private readonly failWith?: string) {}
  async run(argv: readonly string[]): Promise<HostCommandResult> {
    await Promise.resolve();
    this.calls.push([...argv]);
    if (this.failWith !== undefined) throw new Error(this.failWith);
    return { code: 0, stdout: '', stderr: '' };
  }
}

async function root(): Promise<string> {
  const d = await mkdtemp(join(tmpdir(), 'shoal-secret-mounts-'));
  dirs.push(d);
  return join(d, 'secrets');
}

const uid = process.getuid?.() ?? 0;
const gid = process.getgid?.() ?? 0;
const file = (key: string, target: string, data: string, mode: number): TaskFile => ({
  kind: 'secret',
  key,
  target,
  data: Buffer.from(data),
  uid,
  gid,
  mode,
});

test('prepare mounts a root-only tmpfs sized to the files, writes each file and binds it read-only', async () => {
  const r = await root();
  const commands = new RecordingCommands();
  const mounts = new SecretMounts(r, commands);
  const files = [
    file('secret-0', '/run/secrets/db', 'hunter2', 0o444),
    file('config-0', '/app.conf', 'x=1', 0o640),
  ];
  const binds = await mounts.prepare('task1', files);
  const dir = join(r, 'task1');
  assert.deepEqual(commands.calls, [
    [
      'mount',
      '-t',
      'tmpfs',
      '-o',
      `mode=0700,size=${64 * 1024 + 2 * 4096 + 4096},nodev,nosuid,noexec`,
      'shoal-secrets',
      dir,
    ],
  ]);
  assert.deepEqual(binds, [
    { Type: 'bind', Source: join(dir, 'secret-0'), Target: '/run/secrets/db', ReadOnly: true },
    { Type: 'bind', Source: join(dir, 'config-0'), Target: '/app.conf', ReadOnly: true },
  ]);
  assert.equal(await readFile(join(dir, 'secret-0'), 'utf8'), 'hunter2');
  const s = await stat(join(dir, 'secret-0'));
  assert.equal(s.mode & 0o7777, 0o444);
  assert.equal((await stat(join(dir, 'config-0'))).mode & 0o7777, 0o640);
  assert.equal((await stat(dir)).mode & 0o777, 0o700);
  assert.equal((await stat(r)).mode & 0o777, 0o700);
});

test('a task without secrets or configs gets no tmpfs', async () => {
  const r = await root();
  const commands = new RecordingCommands();
  assert.deepEqual(await new SecretMounts(r, commands).prepare('task1', []), []);
  assert.deepEqual(commands.calls, []);
});

test('release removes the directory; removeUnassigned keeps only the assigned tasks', async () => {
  const r = await root();
  const mounts = new SecretMounts(r, new RecordingCommands());
  for (const id of ['a', 'b', 'c']) await mounts.prepare(id, [file('secret-0', '/run/secrets/x', id, 0o400)]);
  await mounts.release('a');
  assert.deepEqual((await readdir(r)).sort(), ['b', 'c']);
  await mounts.removeUnassigned(new Set(['c']));
  assert.deepEqual(await readdir(r), ['c']);
  await mounts.release('never-prepared');
});

test('a mount that fails leaves nothing behind and says why', async () => {
  const r = await root();
  const mounts = new SecretMounts(r, new RecordingCommands('mount: permission denied'));
  await assert.rejects(
    mounts.prepare('task1', [file('secret-0', '/run/secrets/db', 'x', 0o444)]),
    (e: unknown) =>
      e instanceof SecretMountError &&
      /^preparing secrets of task task1: cannot mount a tmpfs on .*: mount: permission denied$/.test(
        e.message,
      ),
  );
  assert.deepEqual(await readdir(r), []);
});

test('a task ID that is not a plain name is refused', async () => {
  const mounts = new SecretMounts(await root(), new RecordingCommands());
  assert.throws(() => mounts.dirOf('../etc'), SecretMountError);
});
