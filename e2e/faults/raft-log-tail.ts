// Damage to the tail of a raft store's newest LevelDB write-ahead log (`NNNNNN.log`), as a torn
// write or a bad sector leaves it: the log cut inside a write that was acknowledged, or one byte
// of such a write flipped (both lose records that were synced, so acknowledged), or a few bytes
// of a record that was never completed appended (a write torn before its sync: nothing
// acknowledged is missing).
//
// Which write was acknowledged is read from the log itself, not guessed from a byte count: a
// member killed while it writes leaves unsynced batches at the end of its log, and cutting
// only those loses nothing acknowledged (the store rightly opens). LevelStorage persists a
// batch unsynced, then rewrites the format header with `sync` while it records the durable
// watermark, and starts its next write only once both are done. So a batch that puts raft
// state, followed by a header batch and then by any later batch, was acknowledged.

import { appendFile, open, readFile, readdir, stat, truncate } from 'node:fs/promises';
import { join } from 'node:path';
import { HEADER_KEY, sameKey } from '../../manager/raft/driver/level-records.js';
import { readLogBatches, type LogBatch } from './leveldb-log.js';

export type TailDamage = 'truncate-acknowledged' | 'flip-acknowledged' | 'unsynced-partial';

/** Damages that remove synced (acknowledged) records. */
export const ACKNOWLEDGED_TAIL_DAMAGES: readonly TailDamage[] = [
  'truncate-acknowledged',
  'flip-acknowledged',
];

function isHeader(b: LogBatch): boolean {
  return b.puts.length > 0 && b.puts.every((k) => sameKey(k, HEADER_KEY));
}

/** The newest batch of `batches` that provably was acknowledged and puts raft state. */
export function lastAcknowledgedBatch(batches: readonly LogBatch[]): LogBatch | undefined {
  for (let i = batches.length - 1; i >= 0; i--) {
    const b = batches[i]!;
    if (b.puts.length === 0 || isHeader(b)) continue;
    const sync = batches.findIndex((h, j) => j > i && isHeader(h));
    if (sync !== -1 && sync < batches.length - 1) return b;
  }
  return undefined;
}

/** The newest `.log` of the LevelDB store in `dir` (the highest file number). */
export async function newestLog(dir: string): Promise<string> {
  const logs = (await readdir(dir))
    .filter((n) => /^\d+\.log$/.test(n))
    .sort((x, y) => Number.parseInt(y, 10) - Number.parseInt(x, 10));
  const newest = logs[0];
  if (newest === undefined) throw new Error(`no LevelDB .log file in ${dir}`);
  return join(dir, newest);
}

/** Damages the file's tail; answers what was done, for the report. */
export async function damageTail(file: string, damage: TailDamage): Promise<string> {
  if (damage === 'unsynced-partial') {
    const { size } = await stat(file);
    // Shorter than a LevelDB record header (7 bytes): the start of a record whose write the
    // crash cut, after every complete (synced) one.
    await appendFile(file, Buffer.from([0x5a, 0x17, 0x00, 0x09, 0x01]));
    return `${file}: 5 bytes of an incomplete record appended after ${size} bytes`;
  }
  const log = await readFile(file);
  const target = lastAcknowledgedBatch(readLogBatches(log));
  if (target === undefined) {
    throw new Error(
      `${file} (${log.byteLength} bytes) holds no write batch that was provably acknowledged ` +
        `(raft state, then a synced header, then a later write): nothing to damage`,
    );
  }
  const [from, to] = target.payloads[0]!;
  const at = from + Math.floor((to - from) / 2);
  if (damage === 'truncate-acknowledged') {
    await truncate(file, at);
    return `${file} truncated from ${log.byteLength} to ${at} bytes, inside an acknowledged batch at ${target.start}–${target.end}`;
  }
  const fh = await open(file, 'r+');
  try {
    await fh.write(Uint8Array.of(log[at]! ^ 0xff), 0, 1, at);
  } finally {
    await fh.close();
  }
  return `${file}: byte ${at} of ${log.byteLength} flipped, inside an acknowledged batch at ${target.start}–${target.end}`;
}
