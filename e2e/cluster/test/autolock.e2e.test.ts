// Autolock on a three-host lab cluster (two managers, one worker), driven with the unmodified
// docker CLI: `swarm init --autolock` shows the unlock key; the managers' Raft data key and TLS
// key are then stored wrapped with it (the worker's are not); a restarted manager starts
// locked, serves nothing but unlock, refuses a wrong key without locking out the right one,
// and comes back once unlocked; a rotated key replaces the old one on every manager (the old
// one stops working); autolock off stores the keys as they are again. A secret's value is in
// no data root at any point.

import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { ShoalLab, eventually } from '../shoal-lab.js';
import { ok, rows } from '../cli-output.js';

const SECRET = 'autolock-pw-3c9e71d05b-never-on-disk';

let s: ShoalLab;
let files: string;

before(async () => {
  files = mkdtempSync(join(tmpdir(), 'shoal-autolock-e2e-'));
  writeFileSync(join(files, 'pw'), SECRET, { mode: 0o600 });
  s = await ShoalLab.create('autolock', 3);
});

after(async () => {
  await s?.destroy();
  rmSync(files, { recursive: true, force: true });
});

function swarmDir(h: number): string {
  return join(s.dataRoot(h), 'swarm');
}

/** How host h's Raft data key is stored ('none' or 'unlock-key'), and its file's text. */
async function dekFile(h: number): Promise<{ kek: string; text: string }> {
  const text = await readFile(join(swarmDir(h), 'raft-dek.json'), 'utf8');
  return { kek: (JSON.parse(text) as { kek: string }).kek, text };
}

async function nodeKeyEncrypted(h: number): Promise<boolean> {
  return (await readFile(join(swarmDir(h), 'node.key'), 'utf8')).includes('ENCRYPTED PRIVATE KEY');
}

/** `f` of both managers (hosts 0 and 1). */
function all<T>(f: (h: number) => Promise<T>): Promise<T[]> {
  return Promise.all([0, 1].map(f));
}

async function localState(h: number): Promise<string> {
  return (await ok(s.docker(h, ['info', '--format', '{{.Swarm.LocalNodeState}}']))).trim();
}

async function restart(h: number): Promise<void> {
  s.killDaemon(h);
  await s.startDaemon(h);
}

async function noDataRootHolds(needle: string): Promise<void> {
  for (const h of [0, 1, 2]) {
    const r = await s.lab.exec(h, ['grep', '-rlF', '--', needle, s.dataRoot(h)], { check: false });
    assert.equal(r.stdout.trim(), '', `node${h + 1}'s data root holds the secret's value`);
  }
}

const KEY_RE = /SWMKEY-1-[A-Za-z0-9+/]{43}/;

test(
  'autolock: locked restart, wrong and right keys, rotation, and autolock off',
  { timeout: 300_000 },
  async () => {
    const init = await ok(s.docker(0, ['swarm', 'init', '--autolock', '--advertise-addr', s.addr(0)]));
    const k1 = KEY_RE.exec(init)?.[0];
    assert.ok(k1 !== undefined, `swarm init --autolock shows the unlock key:\n${init}`);
    assert.equal((await ok(s.docker(0, ['swarm', 'unlock-key', '-q']))).trim(), k1);
    const manager = (await ok(s.docker(0, ['swarm', 'join-token', '-q', 'manager']))).trim();
    const worker = (await ok(s.docker(0, ['swarm', 'join-token', '-q', 'worker']))).trim();
    await ok(s.docker(1, ['swarm', 'join', '--token', manager, `${s.addr(0)}:2377`]));
    await ok(s.docker(2, ['swarm', 'join', '--token', worker, `${s.addr(0)}:2377`]));
    await eventually('three ready nodes', async () => {
      const ready = rows(await ok(s.docker(0, ['node', 'ls']))).filter((r) => r.includes('Ready'));
      return ready.length === 3 ? ready : undefined;
    });
    await ok(s.docker(0, ['secret', 'create', 'pw', join(files, 'pw')]));

    // Both managers protect their keys with the unlock key; the worker has none to protect.
    await eventually('both managers keys wrapped with the unlock key', async () =>
      (await all((h) => dekFile(h))).every((d) => d.kek === 'unlock-key') &&
      (await all(nodeKeyEncrypted)).every(Boolean)
        ? true
        : undefined,
    );
    assert.equal(await nodeKeyEncrypted(2), false, "a worker's TLS key is not locked");
    await noDataRootHolds(SECRET);

    // A restarted manager is locked: info says so, everything else is refused until unlocked.
    await restart(1);
    assert.equal(await localState(1), 'locked');
    const refused = await s.docker(1, ['node', 'ls']);
    assert.notEqual(refused.code, 0);
    assert.match(refused.stderr, /Swarm is encrypted and needs to be unlocked/);
    const wrong = await s.docker(1, ['swarm', 'unlock'], 'SWMKEY-1-' + 'A'.repeat(43) + '\n');
    assert.notEqual(wrong.code, 0);
    assert.match(wrong.stderr, /invalid key supplied/);
    assert.equal(await localState(1), 'locked');
    await ok(s.docker(1, ['swarm', 'unlock'], `${k1}\n`));
    assert.equal(await localState(1), 'active');
    await eventually('the unlocked manager serves node ls', async () => {
      const r = await s.docker(1, ['node', 'ls']);
      return r.code === 0 && rows(r.stdout).length === 3 ? true : undefined;
    });

    // Rotation: every manager re-wraps its keys with the new key; the old one stops working.
    const before = (await all(dekFile)).map((d) => d.text);
    const k2 = (await ok(s.docker(0, ['swarm', 'unlock-key', '--rotate', '-q']))).trim();
    assert.match(k2, KEY_RE);
    assert.notEqual(k2, k1);
    await eventually('both managers re-wrapped their keys', async () =>
      (await all(dekFile)).every((d, i) => d.text !== before[i]) ? true : undefined,
    );
    await restart(1);
    assert.equal(await localState(1), 'locked');
    const old = await s.docker(1, ['swarm', 'unlock'], `${k1}\n`);
    assert.notEqual(old.code, 0, 'the old key no longer unlocks');
    assert.match(old.stderr, /invalid key supplied/);
    await ok(s.docker(1, ['swarm', 'unlock'], `${k2}\n`));
    assert.equal(await localState(1), 'active');

    // Autolock off: keys stored as they are; a restart needs no key.
    await eventually('the swarm updated from the unlocked manager', async () => {
      const r = await s.docker(1, ['swarm', 'update', '--autolock=false']);
      return r.code === 0 ? true : undefined;
    });
    await eventually('both managers store their keys without the unlock key', async () =>
      (await all(dekFile)).every((d) => d.kek === 'none') && !(await all(nodeKeyEncrypted)).some(Boolean)
        ? true
        : undefined,
    );
    const none = await s.docker(0, ['swarm', 'unlock-key', '-q']);
    assert.notEqual(none.code, 0);
    assert.match(none.stderr, /no unlock key is set/);
    await restart(1);
    assert.equal(await localState(1), 'active');
    await noDataRootHolds(SECRET);
  },
);
