// The data root and the API socket are private to shoald's user (issue 9, break 5): a data
// root shoald creates is 0700 at every new level, every file written under it afterwards (the
// Raft log on LevelDB, which holds the root CA key; the node key; the state) has no group or
// other bits, an existing root with loose modes is fixed with a warning naming what changed,
// and one owned by another user is refused.

import assert from 'node:assert/strict';
import { chmod, chown, lstat, mkdir, mkdtemp, readdir, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { pino } from 'pino';
import { ReplicatedStore } from '../../manager/replication/replicated-store.js';
import { API_SOCKET_MODE, groupId, makeApiSocketDir, secureApiSocket } from '../api-socket.js';
import { resolveConfig } from '../config.js';
import { Daemon } from '../daemon.js';
import { DataRootError, prepareDataRoot, restrictUmask } from '../data-root.js';
import { NodeStateDir } from '../node-state.js';

const quiet = pino({ level: 'silent' });

/** A logger that keeps its warnings. */
function recordingLogger(): { warn(obj: object, msg: string): void; warnings: string[] } {
  const warnings: string[] = [];
  return { warn: (_obj, msg) => void warnings.push(msg), warnings };
}

/** Every path under `root` (itself included, links not followed) with its permission bits. */
async function modes(root: string): Promise<Map<string, { mode: number; dir: boolean }>> {
  const out = new Map<string, { mode: number; dir: boolean }>();
  const walk = async (p: string): Promise<void> => {
    const st = await lstat(p);
    if (st.isSymbolicLink()) return;
    out.set(p, { mode: st.mode & 0o7777, dir: st.isDirectory() });
    if (st.isDirectory()) for (const name of await readdir(p)) await walk(join(p, name));
  };
  await walk(root);
  return out;
}

/** Runs `fn` with the given umask and restores the test process's own afterwards. */
async function withUmask<T>(mask: number, fn: () => Promise<T>): Promise<T> {
  const before = process.umask(mask);
  try {
    return await fn();
  } finally {
    process.umask(before);
  }
}

test('a new nested data root is 0700 at every level shoald creates, and everything written in it is private', async () => {
  const tmp = await mkdtemp(join(tmpdir(), 'shoal-dataroot-'));
  try {
    await withUmask(0, async () => {
      const root = join(tmp, 'a', 'b', 'shoal');
      const log = recordingLogger();
      // As Daemon.start: the umask first, then the root.
      restrictUmask();
      const report = await prepareDataRoot(root, log);
      assert.deepEqual(report.created, [join(tmp, 'a'), join(tmp, 'a', 'b'), root]);
      assert.deepEqual(report.fixed, []);
      assert.deepEqual(log.warnings, []);
      for (const dir of report.created) assert.equal((await stat(dir)).mode & 0o777, 0o700, dir);

      // What a manager writes there: its Raft log (LevelDB creates files as it goes) and the
      // node's state with its keys.
      const swarm = join(root, 'swarm');
      const replicated = await ReplicatedStore.open({
        id: 1,
        dataDir: swarm,
        listen: '127.0.0.1:0',
        bootstrap: new Map([[1, '']]),
        logger: quiet,
        tickMs: 10,
      });
      try {
        for (let i = 0; i < 300 && !replicated.raft.isLeader(); i++)
          await new Promise((r) => setTimeout(r, 10));
        assert.ok(replicated.raft.isLeader(), 'the bootstrap entry is in the log');
      } finally {
        await replicated.close();
      }
      await new NodeStateDir(root).save(
        {
          version: 1,
          nodeId: 'n',
          clusterId: 'c',
          role: 'manager',
          raftId: 1,
          listenAddr: '0.0.0.0:2377',
          advertiseAddr: '127.0.0.1:2377',
          managers: [],
        },
        { caCert: 'CA', nodeCert: 'CERT', nodeKey: 'KEY' },
      );
      const all = await modes(root);
      const files = [...all].filter(([, m]) => !m.dir);
      assert.ok(
        files.length >= 5,
        `LevelDB and the node state wrote files: ${files.map(([p]) => p).join(' ')}`,
      );
      assert.ok(all.has(join(swarm, 'raft')));
      for (const [p, m] of all) {
        if (m.dir) assert.equal(m.mode, 0o700, `${p} is ${m.mode.toString(8)}`);
        else assert.equal(m.mode & 0o077, 0, `${p} is ${m.mode.toString(8)}`);
      }
      for (const name of ['node.key', 'node.crt', 'ca.crt', 'state.json'])
        assert.equal(all.get(join(swarm, name))?.mode, 0o600, name);
    });
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
});

test('an existing data root readable by others is tightened, with a warning that names each change', async () => {
  const tmp = await mkdtemp(join(tmpdir(), 'shoal-dataroot-'));
  try {
    await withUmask(0o022, async () => {
      const root = join(tmp, 'root');
      await mkdir(join(root, 'swarm', 'raft'), { recursive: true, mode: 0o755 });
      await writeFile(join(root, 'swarm', 'raft', '000003.log'), 'root CA key', { mode: 0o644 });
      await writeFile(join(root, 'swarm', 'node.key'), 'key', { mode: 0o640 });
      await writeFile(join(root, 'swarm', 'tool'), '#!/bin/sh', { mode: 0o755 });
      await writeFile(join(root, 'swarm', 'ok.json'), '{}', { mode: 0o600 });
      await chmod(root, 0o755);
      // A link is not followed: it may point anywhere on the machine (chmod-ing its target could
      // change files shoald does not own); a socket keeps the mode its listener gives it.
      const elsewhere = join(tmp, 'elsewhere');
      await mkdir(elsewhere, { mode: 0o750 });
      await writeFile(join(elsewhere, 'MANIFEST-000001'), 'm', { mode: 0o666 });
      await chmod(join(elsewhere, 'MANIFEST-000001'), 0o666);
      await symlink(elsewhere, join(root, 'linked'));
      await symlink(root, join(elsewhere, 'back'));
      const log = recordingLogger();
      const report = await prepareDataRoot(root, log);
      assert.deepEqual(report.created, []);
      assert.deepEqual(
        new Map(report.fixed.map((f) => [f.path, [f.from, f.to]])),
        new Map([
          [root, [0o755, 0o700]],
          [join(root, 'swarm'), [0o755, 0o700]],
          [join(root, 'swarm', 'raft'), [0o755, 0o700]],
          [join(root, 'swarm', 'raft', '000003.log'), [0o644, 0o600]],
          [join(root, 'swarm', 'node.key'), [0o640, 0o600]],
          [join(root, 'swarm', 'tool'), [0o755, 0o700]],
        ]),
      );
      assert.equal(log.warnings.length, 1);
      assert.match(log.warnings[0]!, /readable by other users; tightened 6 permission\(s\)/);
      assert.ok(log.warnings[0]!.includes(`${join(root, 'swarm', 'raft', '000003.log')} 0644 -> 0600`));
      assert.equal((await stat(elsewhere)).mode & 0o777, 0o750);
      assert.equal((await stat(join(elsewhere, 'MANIFEST-000001'))).mode & 0o777, 0o666);
      assert.equal((await stat(join(root, 'swarm', 'raft', '000003.log'))).mode & 0o777, 0o600);

      // Already private: nothing to change, nothing said.
      const again = recordingLogger();
      assert.deepEqual((await prepareDataRoot(root, again)).fixed, []);
      assert.deepEqual(again.warnings, []);
    });
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
});

test('a data root holding anything owned by another user is refused, with what to do', async (t) => {
  if (process.getuid?.() !== 0) return t.skip('needs root to give a file to another user');
  const tmp = await mkdtemp(join(tmpdir(), 'shoal-dataroot-'));
  try {
    const root = join(tmp, 'root');
    await mkdir(join(root, 'swarm'), { recursive: true, mode: 0o700 });
    await writeFile(join(root, 'swarm', 'node.key'), 'key', { mode: 0o600 });
    await chown(join(root, 'swarm', 'node.key'), 4321, 4321);
    await assert.rejects(prepareDataRoot(root, recordingLogger()), (e: unknown) => {
      assert.ok(e instanceof DataRootError);
      assert.match(e.message, /node\.key is owned by uid 4321, but shoald runs as uid 0/);
      assert.match(e.message, /chown -R 0 /);
      return true;
    });
    await chown(join(root, 'swarm', 'node.key'), 0, 0);
    await chown(root, 4321, 4321);
    await assert.rejects(prepareDataRoot(root, recordingLogger()), /root is owned by uid 4321/);
    await writeFile(join(tmp, 'file'), '');
    await assert.rejects(prepareDataRoot(join(tmp, 'file'), recordingLogger()), /is not a directory/);
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
});

test('the API socket is 0660 and given to the docker group when it exists; its new directories are 0755', async () => {
  const tmp = await mkdtemp(join(tmpdir(), 'shoal-socket-'));
  try {
    await withUmask(0o077, async () => {
      const socket = join(tmp, 'run', 'shoal', 'shoal.sock');
      await makeApiSocketDir(socket);
      assert.equal((await stat(join(tmp, 'run'))).mode & 0o777, 0o755);
      assert.equal((await stat(join(tmp, 'run', 'shoal'))).mode & 0o777, 0o755);
      const server = createServer();
      await new Promise<void>((resolve) => server.listen(socket, resolve));
      try {
        assert.equal((await stat(socket)).mode & 0o077, 0, 'created private under the umask');
        const gid = process.getgid?.() ?? 0;
        const groups = join(tmp, 'group');
        await writeFile(groups, `root:x:0:\ndockerish:x:77:\ndocker:x:${gid}:alice\n`);
        assert.equal(await groupId('docker', groups), gid);
        assert.equal(await groupId('absent', groups), undefined);
        const log = recordingLogger();
        assert.deepEqual(await secureApiSocket(socket, log, groups), { mode: API_SOCKET_MODE, gid });
        const st = await stat(socket);
        assert.equal(st.mode & 0o777, 0o660);
        assert.equal(st.gid, gid);
        // No docker group: the mode alone, as dockerd then.
        await writeFile(groups, 'root:x:0:\n');
        assert.deepEqual(await secureApiSocket(socket, log, groups), {
          mode: API_SOCKET_MODE,
          gid: undefined,
        });
        assert.deepEqual(log.warnings, []);
      } finally {
        await new Promise<void>((resolve) => server.close(() => resolve()));
      }
    });
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
});

test('Daemon.start on a fresh nested data root: private root, 0660 API socket, whatever the umask was', async () => {
  const tmp = await mkdtemp(join(tmpdir(), 'shoal-daemon-'));
  try {
    await withUmask(0, async () => {
      const root = join(tmp, 'lib', 'shoal');
      const socket = join(tmp, 'run', 'shoal.sock');
      const daemon = await Daemon.start({
        config: resolveConfig({
          dataRoot: root,
          host: `unix://${socket}`,
          engine: `unix://${join(tmp, 'no-engine.sock')}`,
        }),
        logger: quiet,
      });
      try {
        assert.equal(process.umask(0o077), 0o077, 'shoald runs with a private umask');
        assert.equal((await stat(join(tmp, 'lib'))).mode & 0o777, 0o700);
        assert.equal((await stat(root)).mode & 0o777, 0o700);
        assert.equal((await stat(join(tmp, 'run'))).mode & 0o777, 0o755);
        assert.equal((await stat(socket)).mode & 0o777, 0o660);
      } finally {
        await daemon.close();
      }
    });
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
});
