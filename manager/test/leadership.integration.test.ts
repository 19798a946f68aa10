// A manager restarted from its own disk leads again before it has applied its log: Raft applies
// the entries after the snapshot only once an entry of the new term commits. The control loops
// must not start on that older cluster (an allocator would hand out addresses tasks hold).

import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { pino } from 'pino';
import { LeaderLoops } from '../loop/leadership.js';
import { ReplicatedStore } from '../replication/replicated-store.js';
import { newService } from '../store/test/fixtures.js';

const logger = pino({ level: process.env['SHOAL_TEST_LOG'] ?? 'silent' });
const roots: string[] = [];
after(async () => {
  for (const r of roots) await rm(r, { recursive: true, force: true });
});

test('after a restart, control loops start on a store holding everything committed before', async () => {
  const root = await mkdtemp(join(tmpdir(), 'shoal-lead-'));
  roots.push(root);
  const options = { id: 1, dataDir: join(root, 'm1'), listen: '127.0.0.1:0', logger, tickMs: 20 };
  const first = await ReplicatedStore.open({ ...options, bootstrap: new Map([[1, '']]) });
  const deadline = Date.now() + 10_000;
  while (!first.raft.isLeader() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
  assert.ok(first.raft.isLeader(), 'the first start leads');
  for (let i = 0; i < 20; i++)
    await first.store.update((tx) => tx.create('services', newService(`s${i}`, `s${i}`)));
  await first.close();

  const again = await ReplicatedStore.open({ ...options });
  const seen: number[] = [];
  let started!: () => void;
  const running = new Promise<void>((r) => (started = r));
  const loops = new LeaderLoops(
    again.raft,
    [
      {
        name: 'probe',
        run: async (signal) => {
          seen.push(again.store.view((tx) => tx.list('services').length));
          started();
          await new Promise<void>((r) => signal.addEventListener('abort', () => r(), { once: true }));
        },
      },
    ],
    logger,
  );
  loops.start();
  try {
    await running;
    assert.deepEqual(seen, [20], 'the loop saw every service written before the restart');
  } finally {
    await loops.stop();
    await again.close();
  }
});
