// Break 4 at the manager's level: a single manager's raft store (<dataDir>/raft) whose newest
// LevelDB log lost its tail is refused at open, so Raft never starts on it (no vote, no lead,
// no serving without the acknowledged services); an intact one restarts with every service.

import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { readdir, readFile, stat, truncate, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pino } from 'pino';
import { ReplicatedStore } from '../../../replication/replicated-store.js';
import { newService } from '../../../store/test/fixtures.js';
import { StorageWritesLostError } from '../storage-errors.js';
import { tempDir } from './level-fixtures.js';

const logger = pino({ level: 'silent' });

const opened: ReplicatedStore[] = [];
after(async () => {
  for (const s of opened) await s.close().catch(() => {});
});

async function openManager(dataDir: string, bootstrap: boolean): Promise<ReplicatedStore> {
  const s = await ReplicatedStore.open({
    id: 1,
    dataDir,
    listen: '127.0.0.1:0',
    logger,
    tickMs: 10,
    ...(bootstrap ? { bootstrap: new Map([[1, '']]) } : {}),
  });
  opened.push(s);
  return s;
}

async function leading(s: ReplicatedStore): Promise<void> {
  if (s.raft.isLeader()) return;
  await new Promise<void>((resolve) => s.raft.onLeadershipChange((c) => c.lead === 1 && resolve()));
}

async function newestLog(dir: string): Promise<string> {
  const logs = (await readdir(dir)).filter((n) => /^\d+\.log$/.test(n)).sort();
  return join(dir, logs[logs.length - 1]!);
}

const damages: [string, (log: string) => Promise<void>][] = [
  [
    // Inside the batch with the last acknowledged service: the log ends with two small records
    // (the header rewritten to sync, ~45 bytes; the commit index, ~61 bytes with encryption).
    'a byte flipped 150 bytes from the end',
    async (log) => {
      const b = await readFile(log);
      b[b.byteLength - 150] = (b[b.byteLength - 150] ?? 0) ^ 0xff;
      await writeFile(log, b);
    },
  ],
  ['a tail truncated by 200 bytes', async (log) => truncate(log, (await stat(log)).size - 200)],
  ['a log truncated to 0 bytes', (log) => truncate(log, 0)],
];

for (const [name, damage] of damages) {
  void test(`a manager whose raft log has ${name} refuses to start`, async (t) => {
    const dataDir = await tempDir(t);
    const first = await openManager(dataDir, true);
    await leading(first);
    for (let i = 0; i < 5; i++) {
      await first.store.update((tx) => tx.create('services', newService(`svc${i}`, `web${i}`)));
    }
    await first.close();
    // An intact store restarts with every acknowledged service.
    const intact = await openManager(dataDir, false);
    await leading(intact);
    await intact.raft.readBarrier();
    assert.equal(intact.store.view((tx) => tx.list('services')).length, 5);
    await intact.store.update((tx) => tx.create('services', newService('svc5', 'web5')));
    await intact.close();

    await damage(await newestLog(join(dataDir, 'raft')));
    await assert.rejects(openManager(dataDir, false), (e: unknown) => {
      assert.ok(e instanceof StorageWritesLostError, `refused: ${String(e)}`);
      assert.equal(e.path, join(dataDir, 'raft'));
      assert.match(e.message, /has lost writes it acknowledged/);
      return true;
    });
  });
}
