// The fault harness's log-tail damage, against a real LevelStorage: the damage it calls
// acknowledged must land in a write whose save returned, so that the store refuses to open;
// the unsynced damage must leave a store that opens with everything.

import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { LevelStorage } from '../../../manager/raft/driver/level-storage.js';
import { StorageWritesLostError } from '../../../manager/raft/driver/storage-errors.js';
import { EntryType } from '../../../manager/raft/types.js';
import { readLogBatches } from '../leveldb-log.js';
import { ACKNOWLEDGED_TAIL_DAMAGES, damageTail, lastAcknowledgedBatch, newestLog } from '../raft-log-tail.js';

const BOOT = 'b'.repeat(32);

/** A store with `saves` acknowledged saves of one entry and its commit each. */
async function storeWith(saves: number): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'shoal-tail-'));
  const s = await LevelStorage.open(dir, { bootId: BOOT });
  for (let i = 1; i <= saves; i++) {
    const data = new Uint8Array(100 + ((i * 97) % 700)).fill(i);
    await s.save(
      {
        hardState: { term: 1, vote: 1, commit: i - 1 },
        entries: [{ term: 1, index: i, type: EntryType.Normal, data }],
      },
      true,
    );
  }
  await s.close();
  return dir;
}

test('the batches of a LevelDB log are read whole, and the newest provably acknowledged one is named', async () => {
  const dir = await storeWith(12);
  try {
    const batches = readLogBatches(await readFile(await newestLog(dir)));
    // One header batch at creation, then per save: the state batch and its synced header.
    assert.ok(batches.length >= 25, `${batches.length} batches`);
    const target = lastAcknowledgedBatch(batches);
    assert.ok(target !== undefined);
    // The newest save's batch is followed by its header only: it cannot be proven acknowledged.
    assert.equal(target, batches[batches.length - 4]);
    assert.equal(lastAcknowledgedBatch(batches.slice(0, 1)), undefined);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

for (const damage of ACKNOWLEDGED_TAIL_DAMAGES) {
  test(`${damage}: the store refuses to open, naming what was lost`, async () => {
    for (const saves of [3, 9, 40]) {
      const dir = await storeWith(saves);
      try {
        const done = await damageTail(await newestLog(dir), damage);
        await assert.rejects(LevelStorage.open(dir, { bootId: BOOT }), StorageWritesLostError, done);
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    }
  });
}

test('unsynced-partial: the store opens with every acknowledged entry', async () => {
  const dir = await storeWith(9);
  try {
    await damageTail(await newestLog(dir), 'unsynced-partial');
    const s = await LevelStorage.open(dir, { bootId: BOOT });
    assert.equal(s.memory.lastIndex(), 9);
    await s.close();
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('a log with no acknowledged batch is refused by the harness, not damaged at random', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'shoal-tail-'));
  try {
    const s = await LevelStorage.open(dir, { bootId: BOOT });
    await s.close();
    await assert.rejects(
      damageTail(await newestLog(dir), 'flip-acknowledged'),
      /no write batch that was provably acknowledged/,
    );
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
