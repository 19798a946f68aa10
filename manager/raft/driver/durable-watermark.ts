// The durable watermark: a small file, outside LevelDB's own log, that records what the raft
// log held after its latest synced write. LevelDB drops a damaged or torn tail of its log at
// recovery without failing (paranoid checks are not exposed by classic-level, and even they
// cannot tell a truncation after the last record from a crash during a write), so this is the
// witness that tells, at open, whether acknowledged state is missing.
//
// Layout: two fixed slots (at 0 and SLOT_SIZE); write number n goes to slot n % 2, so a torn
// write of one slot leaves the other, one write older, valid. Each slot:
//   'SHWM' | version u8 | kind u8 | 0 u16 | seq u64 | index u64 | term u64
//   | hard state term u64 | vote u64 | commit u64 | snapshot index u64 | boot ID (16 bytes)
//   | CRC-32 (of the above) u32
// all big-endian. The boot ID (the kernel's, per machine start) tells at open whether the
// machine restarted since the newest mark was written (see LevelStorage). The file is created whole (temporary file, fsync, rename, fsync of the
// directory) and then only overwritten in place, one slot at a time, with O_DSYNC.

import { constants } from 'node:fs';
import { open, readFile, rename, rm, type FileHandle } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { crc32 } from 'node:zlib';
import type { HardState } from '../types.js';

export const WATERMARK_FILE = 'SHOAL-WATERMARK';

const MAGIC = 0x5348574d; // 'SHWM'
const VERSION = 1;
const SLOT_SIZE = 512;
const BOOT_ID_SIZE = 16;
const BOOT_ID_AT = 8 + 8 * 7;
const BODY_SIZE = BOOT_ID_AT + BOOT_ID_SIZE;
const FILE_MODE = 0o600;

/**
 * What the log must still hold. A 'state' mark: the log after a synced write (its last entry is
 * `index` at `term`). A 'rewrite' mark is written before a write that replaces part of the log
 * (a new leader's conflicting entries, an installed snapshot): the log must still hold entry
 * `index` at `term` (the part kept), or a snapshot covering it.
 */
export interface DurableMark {
  readonly kind: 'state' | 'rewrite';
  readonly index: number;
  readonly term: number;
  readonly hardState: HardState;
  readonly snapshotIndex: number;
}

/** A mark as read back: the newest valid slot, and the other one if it is valid too. */
export interface StoredMark {
  readonly mark: DurableMark;
  /** The boot ID of the machine start that wrote it ('' if unknown). */
  readonly bootId: string;
  /** The mark written just before it (the other slot), if that slot is valid. */
  readonly previous?: DurableMark;
}

interface Slot {
  readonly seq: number;
  readonly mark: DurableMark;
  readonly bootId: string;
}

/** This machine start's boot ID (Linux), as 32 hex digits; '' where there is none. */
export async function currentBootId(): Promise<string> {
  try {
    const raw = await readFile('/proc/sys/kernel/random/boot_id', 'utf8');
    const hex = raw.trim().replace(/-/g, '').toLowerCase();
    return /^[0-9a-f]{32}$/.test(hex) ? hex : '';
  } catch {
    return '';
  }
}

function encodeSlot(seq: number, m: DurableMark, bootId: string): Uint8Array {
  const out = new Uint8Array(SLOT_SIZE);
  const v = new DataView(out.buffer);
  v.setUint32(0, MAGIC);
  v.setUint8(4, VERSION);
  v.setUint8(5, m.kind === 'state' ? 0 : 1);
  const fields = [
    seq,
    m.index,
    m.term,
    m.hardState.term,
    m.hardState.vote,
    m.hardState.commit,
    m.snapshotIndex,
  ];
  fields.forEach((f, i) => v.setBigUint64(8 + 8 * i, BigInt(f)));
  if (/^[0-9a-f]{32}$/.test(bootId)) out.set(Buffer.from(bootId, 'hex'), BOOT_ID_AT);
  v.setUint32(BODY_SIZE, crc32(out.subarray(0, BODY_SIZE)));
  return out;
}

function decodeSlot(b: Uint8Array): Slot | undefined {
  if (b.byteLength < BODY_SIZE + 4) return undefined;
  const v = new DataView(b.buffer, b.byteOffset, b.byteLength);
  if (v.getUint32(0) !== MAGIC || v.getUint8(4) !== VERSION) return undefined;
  if (v.getUint32(BODY_SIZE) !== crc32(b.subarray(0, BODY_SIZE))) return undefined;
  const kind = v.getUint8(5);
  if (kind > 1) return undefined;
  const f: number[] = [];
  for (let i = 0; i < 7; i++) {
    const x = v.getBigUint64(8 + 8 * i);
    if (x > BigInt(Number.MAX_SAFE_INTEGER)) return undefined;
    f.push(Number(x));
  }
  const [seq, index, term, hsTerm, vote, commit, snapshotIndex] = f as [
    number,
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  const boot = Buffer.from(b.subarray(BOOT_ID_AT, BOOT_ID_AT + BOOT_ID_SIZE)).toString('hex');
  return {
    seq,
    bootId: /^0+$/.test(boot) ? '' : boot,
    mark: {
      kind: kind === 0 ? 'state' : 'rewrite',
      index,
      term,
      hardState: { term: hsTerm, vote, commit },
      snapshotIndex,
    },
  };
}

/** Why a watermark file cannot be read: it exists but neither slot is valid. */
export class WatermarkUnreadableError extends Error {
  constructor(readonly path: string) {
    super(`the durable watermark ${path} has no valid slot`);
    this.name = 'WatermarkUnreadableError';
  }
}

export class DurableWatermark {
  readonly path: string;
  private readonly fh: FileHandle;
  private readonly bootId: string;
  private seq: number;

  private constructor(path: string, fh: FileHandle, seq: number, bootId: string) {
    this.path = path;
    this.fh = fh;
    this.seq = seq;
    this.bootId = bootId;
  }

  static pathIn(dir: string): string {
    return join(dir, WATERMARK_FILE);
  }

  /**
   * Reads the newest valid mark in `dir`: undefined when there is no watermark file; throws
   * WatermarkUnreadableError when there is one but no slot is valid.
   */
  static async read(dir: string): Promise<StoredMark | undefined> {
    const slots = await readSlots(DurableWatermark.pathIn(dir));
    if (slots === undefined) return undefined;
    const [newest, other] = slots;
    const previous = other !== undefined && other.seq === newest.seq - 1 ? other.mark : undefined;
    return { mark: newest.mark, bootId: newest.bootId, ...(previous ? { previous } : {}) };
  }

  /**
   * Opens the watermark in `dir` for writing, creating it (durably) with `initial` if absent;
   * marks written through it carry `bootId`.
   */
  static async open(dir: string, initial: DurableMark, bootId: string): Promise<DurableWatermark> {
    const path = DurableWatermark.pathIn(dir);
    let newest = (await readSlots(path))?.[0];
    if (newest === undefined) {
      await createWhole(path, initial, bootId);
      newest = { seq: 0, mark: initial, bootId };
    }
    const fh = await open(path, constants.O_RDWR | constants.O_DSYNC);
    return new DurableWatermark(path, fh, newest.seq, bootId);
  }

  /** Records `mark` durably (in the slot not holding the newest one). */
  async write(mark: DurableMark): Promise<void> {
    const seq = this.seq + 1;
    const slot = encodeSlot(seq, mark, this.bootId);
    const { bytesWritten } = await this.fh.write(slot, 0, SLOT_SIZE, (seq % 2) * SLOT_SIZE);
    if (bytesWritten !== SLOT_SIZE) throw new Error(`short write to ${this.path} (${bytesWritten} bytes)`);
    this.seq = seq;
  }

  close(): Promise<void> {
    return this.fh.close();
  }
}

/** The valid slots, newest first; undefined without a file; throws if no slot is valid. */
async function readSlots(path: string): Promise<[Slot, Slot | undefined] | undefined> {
  let fh: FileHandle;
  try {
    fh = await open(path, 'r');
  } catch (e: unknown) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw e;
  }
  try {
    const buf = new Uint8Array(2 * SLOT_SIZE);
    const { bytesRead } = await fh.read(buf, 0, buf.byteLength, 0);
    const slots = [0, 1]
      .map((i) => decodeSlot(buf.subarray(i * SLOT_SIZE, Math.min(bytesRead, (i + 1) * SLOT_SIZE))))
      .filter((s): s is Slot => s !== undefined)
      .sort((a, b) => b.seq - a.seq);
    const newest = slots[0];
    if (newest === undefined) throw new WatermarkUnreadableError(path);
    return [newest, slots[1]];
  } finally {
    await fh.close();
  }
}

/** Writes a new watermark file holding `mark` in slot 0, atomically and durably. */
async function createWhole(path: string, mark: DurableMark, bootId: string): Promise<void> {
  const tmp = `${path}.tmp`;
  const whole = new Uint8Array(2 * SLOT_SIZE);
  whole.set(encodeSlot(0, mark, bootId), 0);
  const fh = await open(tmp, 'w', FILE_MODE);
  try {
    await fh.write(whole, 0, whole.byteLength, 0);
    await fh.sync();
  } finally {
    await fh.close();
  }
  await rename(tmp, path);
  const dir = await open(dirname(path), 'r');
  try {
    await dir.sync();
  } finally {
    await dir.close();
  }
}

/** Removes a leftover temporary file of an interrupted creation. */
export async function removeWatermarkLeftover(dir: string): Promise<void> {
  await rm(`${DurableWatermark.pathIn(dir)}.tmp`, { force: true });
}
