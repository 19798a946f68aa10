import { test } from 'node:test';
import assert from 'node:assert/strict';
import { open, readFile, stat, writeFile } from 'node:fs/promises';
import { isEmptyMark, markOf, missingFromLog } from '../durable-check.js';
import { DurableWatermark, WatermarkUnreadableError, type DurableMark } from '../durable-watermark.js';
import type { LoadedLog } from '../level-load.js';
import { ents, tempDir } from './level-fixtures.js';

const BOOT = '0123456789abcdef0123456789abcdef';

function mark(index: number, term: number, extra: Partial<DurableMark> = {}): DurableMark {
  return {
    kind: 'state',
    index,
    term,
    hardState: { term, vote: 1, commit: index },
    snapshotIndex: 0,
    ...extra,
  };
}

void test('the watermark reads back the newest mark, alternating slots', async (t) => {
  const dir = await tempDir(t);
  assert.equal(await DurableWatermark.read(dir), undefined);
  const w = await DurableWatermark.open(dir, mark(0, 0), BOOT);
  assert.deepEqual((await DurableWatermark.read(dir))?.mark, mark(0, 0));
  for (let i = 1; i <= 5; i++) {
    await w.write(mark(i * 10, i));
    assert.deepEqual((await DurableWatermark.read(dir))?.mark, mark(i * 10, i));
  }
  await w.write(mark(60, 6, { kind: 'rewrite', snapshotIndex: 40 }));
  await w.close();
  assert.deepEqual(
    (await DurableWatermark.read(dir))?.mark,
    mark(60, 6, { kind: 'rewrite', snapshotIndex: 40 }),
  );
  // Reopening continues the sequence: the next write replaces the older slot, not the newest.
  const again = await DurableWatermark.open(dir, mark(0, 0), BOOT);
  await again.write(mark(70, 7));
  await again.close();
  assert.deepEqual(await DurableWatermark.read(dir), {
    mark: mark(70, 7),
    bootId: BOOT,
    previous: mark(60, 6, { kind: 'rewrite', snapshotIndex: 40 }),
  });
  const s = await stat(DurableWatermark.pathIn(dir));
  assert.equal(s.size, 1024);
  assert.equal(s.mode & 0o777, 0o600);
});

void test('a torn write of one slot leaves the other, one write older', async (t) => {
  const dir = await tempDir(t);
  const w = await DurableWatermark.open(dir, mark(0, 0), BOOT);
  await w.write(mark(10, 1)); // slot 1
  await w.write(mark(20, 2)); // slot 0
  await w.close();
  const path = DurableWatermark.pathIn(dir);
  const fh = await open(path, 'r+');
  await fh.write(Uint8Array.of(0xff, 0xff, 0xff), 0, 3, 30); // tear slot 0 (the newest)
  await fh.close();
  // The survivor has no valid predecessor (the torn slot is newer, not older).
  assert.deepEqual(await DurableWatermark.read(dir), { mark: mark(10, 1), bootId: BOOT });
  const fh2 = await open(path, 'r+');
  await fh2.write(Uint8Array.of(0xff), 0, 1, 512 + 9); // and slot 1
  await fh2.close();
  await assert.rejects(DurableWatermark.read(dir), WatermarkUnreadableError);
  await writeFile(path, new Uint8Array(0));
  await assert.rejects(DurableWatermark.read(dir), WatermarkUnreadableError);
  assert.equal((await readFile(path)).byteLength, 0);
});

function log(over: Partial<LoadedLog>): LoadedLog {
  return {
    fresh: false,
    formatVersion: 2,
    hardState: { term: 2, vote: 1, commit: 15 },
    logStart: { index: 5, term: 1 },
    snapshot: {
      metadata: { index: 10, term: 1, confState: { voters: [1], learners: [] } },
      data: Uint8Array.of(),
    },
    entries: [...ents(6, 10, 1), ...ents(11, 20, 2)],
    ...over,
  };
}

void test('a log holding what its mark records (or more) passes', () => {
  const l = log({});
  const m = markOf(l);
  assert.deepEqual(m, {
    kind: 'state',
    index: 20,
    term: 2,
    hardState: { term: 2, vote: 1, commit: 15 },
    snapshotIndex: 10,
  });
  assert.equal(missingFromLog(l, m), undefined);
  // Ahead of the mark: a write that reached LevelDB but not the watermark.
  const ahead = log({
    entries: [...ents(6, 10, 1), ...ents(11, 22, 2)],
    hardState: { term: 3, vote: 2, commit: 21 },
  });
  assert.equal(missingFromLog(ahead, m), undefined);
  // A rewrite mark: the kept prefix is there, the rest may be old or new.
  const rewritten = log({
    entries: [...ents(6, 10, 1), ...ents(11, 12, 3)],
    hardState: { term: 3, vote: 2, commit: 15 },
  });
  assert.equal(missingFromLog(rewritten, { ...m, kind: 'rewrite', index: 10, term: 1 }), undefined);
  assert.equal(missingFromLog(l, { ...m, kind: 'rewrite', index: 10, term: 1 }), undefined);
  assert.ok(
    isEmptyMark(
      markOf(
        log({
          hardState: { term: 0, vote: 0, commit: 0 },
          logStart: { index: 0, term: 0 },
          entries: [],
          snapshot: {
            metadata: { index: 0, term: 0, confState: { voters: [], learners: [] } },
            data: Uint8Array.of(),
          },
        }),
      ),
    ),
  );
  assert.ok(!isEmptyMark(m));
});

void test('a log missing what its mark records is named precisely', () => {
  const m = markOf(log({}));
  const cases: [LoadedLog, DurableMark, RegExp][] = [
    [
      log({ entries: ents(6, 18, 1).map((e) => (e.index > 10 ? { ...e, term: 2 } : e)) }),
      m,
      /^the log ends at index 18 but entries up to 20 were acknowledged$/,
    ],
    [
      log({ entries: [...ents(6, 10, 1), ...ents(11, 20, 3)] }),
      m,
      /^entry 20 has term 3 but term 2 was acknowledged$/,
    ],
    [
      log({ hardState: { term: 1, vote: 1, commit: 15 } }),
      m,
      /^the hard state is at term 1 but term 2 was acknowledged$/,
    ],
    [
      log({ hardState: { term: 2, vote: 0, commit: 15 } }),
      m,
      /^the vote in term 2 is none but a vote for 1 was acknowledged$/,
    ],
    [
      log({ hardState: { term: 2, vote: 1, commit: 12 } }),
      m,
      /^the commit index is 12 but 15 was acknowledged$/,
    ],
    [log({}), { ...m, snapshotIndex: 15 }, /^the snapshot is at index 10 but one at 15 was acknowledged$/],
    [
      log({}),
      { ...m, kind: 'rewrite', index: 21, term: 2 },
      /^the log ends at index 20 but entries up to 21 were kept through a rewrite$/,
    ],
  ];
  for (const [l, mk, pattern] of cases) assert.match(missingFromLog(l, mk) ?? 'nothing missing', pattern);
});
