// Damage to the tail of a raft store's newest LevelDB write-ahead log (`NNNNNN.log`), as a torn
// write or a bad sector leaves it: the last bytes cut off, or one byte flipped near the end (both
// lose records that were synced, so acknowledged), or a few bytes of a record that was never
// completed appended (a write torn before its sync: nothing acknowledged is missing).

import { appendFile, open, readdir, stat, truncate } from 'node:fs/promises';
import { join } from 'node:path';

export type TailDamage = 'truncate-200' | 'flip-100' | 'unsynced-partial';

/** Damages that remove synced (acknowledged) records. */
export const ACKNOWLEDGED_TAIL_DAMAGES: readonly TailDamage[] = ['truncate-200', 'flip-100'];

/** The newest `.log` of the LevelDB store in `dir` (the highest file number). */
export async function newestLog(dir: string): Promise<string> {
  const logs = (await readdir(dir))
    .filter((n) => /^\d+\.log$/.test(n))
    .sort((a, b) => Number.parseInt(b, 10) - Number.parseInt(a, 10));
  const newest = logs[0];
  if (newest === undefined) throw new Error(`no LevelDB .log file in ${dir}`);
  return join(dir, newest);
}

/** Damages the file's tail; answers what was done, for the report. */
export async function damageTail(file: string, damage: TailDamage): Promise<string> {
  const { size } = await stat(file);
  if (damage === 'unsynced-partial') {
    // Shorter than a LevelDB record header (7 bytes): the start of a record whose write the
    // crash cut, after every complete (synced) one.
    await appendFile(file, Buffer.from([0x5a, 0x17, 0x00, 0x09, 0x01]));
    return `${file}: 5 bytes of an incomplete record appended after ${size} bytes`;
  }
  if (damage === 'truncate-200') {
    const to = Math.max(0, size - 200);
    await truncate(file, to);
    return `${file} truncated from ${size} to ${to} bytes`;
  }
  const at = Math.max(0, size - 100);
  const fh = await open(file, 'r+');
  try {
    const b = Buffer.alloc(1);
    await fh.read(b, 0, 1, at);
    b[0] = b[0]! ^ 0xff;
    await fh.write(b, 0, 1, at);
  } finally {
    await fh.close();
  }
  return `${file}: byte ${at} of ${size} flipped`;
}
