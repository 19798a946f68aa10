// Break 7: a storage write that fails (disk full) stops the RaftNode for good and reports it
// once through onFatal, so the daemon exits and its service manager restarts it: never a node
// that answers reads and refuses writes forever. With an injected failure, and with a real full
// disk (a 2 MiB tmpfs, when running as root).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { pino } from 'pino';
import { NodeStoppedError, fatalExitLine } from '../errors.js';
import { LevelStorage, type LevelStorageOptions } from '../level-storage.js';
import { RaftNode } from '../raft-node.js';
import { StorageFailedError } from '../storage-errors.js';
import type { Transport } from '../transport.js';
import { KvMachine, kvCommand } from './loopback-cluster.js';
import { failingDb, tempDir } from './level-fixtures.js';

const run = promisify(execFile);

/** A single-member cluster needs no peers. */
class NoPeers implements Transport {
  start(): void {}
  send(): void {}
  addPeer(): void {}
  removePeer(): void {}
  peers(): ReadonlyMap<number, string> {
    return new Map();
  }
  close(): Promise<void> {
    return Promise.resolve();
  }
}

interface Single {
  readonly node: RaftNode;
  readonly fatal: Error[];
  readonly firstFatal: Promise<Error>;
}

async function single(dir: string, opts: LevelStorageOptions = {}): Promise<Single> {
  const storage = await LevelStorage.open(dir, opts);
  const node = new RaftNode({
    id: 1,
    address: '127.0.0.1:1',
    storage,
    transport: new NoPeers(),
    stateMachine: new KvMachine(),
    logger: pino({ level: 'silent' }),
    bootstrap: new Map([[1, '127.0.0.1:1']]),
    tickMs: 10,
  });
  const fatal: Error[] = [];
  const firstFatal = new Promise<Error>((resolve) =>
    node.onFatal((e) => {
      fatal.push(e);
      resolve(e);
    }),
  );
  const leading = new Promise<void>((resolve) => node.onLeadershipChange((c) => c.lead === 1 && resolve()));
  await node.start();
  await leading;
  return { node, fatal, firstFatal };
}

async function assertStoppedForGood(s: Single, reason: RegExp): Promise<void> {
  const e = await s.firstFatal;
  assert.ok(e instanceof StorageFailedError, `fatal is a StorageFailedError: ${String(e)}`);
  assert.match(e.message, reason);
  assert.equal(s.node.failure, e);
  assert.equal(s.node.isLeader(), false);
  await assert.rejects(s.node.propose(kvCommand('after', '1')), NodeStoppedError);
  await assert.rejects(s.node.readBarrier(), NodeStoppedError);
  assert.throws(() => s.node.campaign(), NodeStoppedError);
  assert.match(
    fatalExitLine(e),
    /^raft storage failed \(raft storage at .*\): exiting so the service manager restarts shoald$/,
  );
  // A listener added after the failure still hears of it, once.
  const late = await new Promise<Error>((resolve) => s.node.onFatal(resolve));
  assert.equal(late, e);
  assert.equal(s.fatal.length, 1);
}

void test('a failed storage write stops the node for good and reports it once', async (t) => {
  const dir = await tempDir(t);
  const mode = { armed: false, after: false };
  const s = await single(dir, { openDb: failingDb(mode) });
  assert.equal(await s.node.propose(kvCommand('a', '1')), 3);
  assert.equal(s.node.failure, undefined);
  mode.armed = true;
  await assert.rejects(s.node.propose(kvCommand('b', '1')), (e: unknown) => {
    assert.ok(e instanceof NodeStoppedError);
    assert.match(e.message, /No space left on device/);
    return true;
  });
  mode.armed = false; // space freed: the node stays stopped rather than half-alive
  await assertStoppedForGood(s, /No space left on device/);
  await s.node.stop();
  // A restart (what the service manager does) serves again, with the acknowledged write.
  const again = await single(dir);
  assert.equal(typeof (await again.node.propose(kvCommand('c', '1'))), 'number');
  await again.node.stop();
});

void test('a full disk (tmpfs) stops the node for good; a restart after freeing space recovers', async (t) => {
  if (process.getuid?.() !== 0) {
    t.skip('needs root to mount a tmpfs');
    return;
  }
  const mnt = await mkdtemp(join(tmpdir(), 'shoal-enospc-'));
  try {
    await run('mount', ['-t', 'tmpfs', '-o', 'size=2m', 'tmpfs', mnt]);
  } catch (e: unknown) {
    await rm(mnt, { recursive: true, force: true });
    t.skip(`cannot mount a tmpfs: ${e instanceof Error ? e.message : String(e)}`);
    return;
  }
  const dir = join(mnt, 'raft');
  let node: RaftNode | undefined;
  try {
    const s = await single(dir);
    node = s.node;
    const big = 'x'.repeat(64 * 1024);
    let acknowledged = 0;
    for (let i = 0; i < 100 && s.node.failure === undefined; i++) {
      try {
        await s.node.propose(kvCommand(`k${i}`, big));
        acknowledged++;
      } catch (e: unknown) {
        assert.ok(e instanceof NodeStoppedError, `a proposal fails as stopped: ${String(e)}`);
      }
    }
    assert.ok(
      acknowledged > 0 && acknowledged < 100,
      `acknowledged ${acknowledged} writes before the disk filled`,
    );
    await assertStoppedForGood(s, /No space left on device|ENOSPC/);
    await s.node.stop();
    node = undefined;
    // Free the space (as an operator would), then restart: every acknowledged write is back.
    await run('mount', ['-o', 'remount,size=16m', mnt]);
    const again = await single(dir);
    node = again.node;
    const applied = again.node.status().applied;
    assert.ok(applied >= acknowledged + 2, `applied ${applied} covers ${acknowledged} acknowledged writes`);
    assert.equal(typeof (await again.node.propose(kvCommand('after', '1'))), 'number');
  } finally {
    await node?.stop().catch(() => {});
    await run('umount', [mnt]).catch(() => run('umount', ['-l', mnt]));
    await rm(mnt, { recursive: true, force: true });
  }
});
