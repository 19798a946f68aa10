// The key layout and value framing of the durable Raft log in LevelDB.
//
// Keys (bytes):
//   'v'                      StoreHeader: what this directory is and its format version
//   'h'                      HardState
//   'o'                      LogStart: index and term of the last compacted entry (absent: 0, 0)
//   's'                      Snapshot: the latest snapshot, data included
//   'e' + uint64 BE index    Entry; fixed-width big-endian so LevelDB iterates in log order
//
// Every value is framed as [CRC-32 (big-endian uint32) | body]. The checksum covers the key and
// the body, so a flipped bit or a value written under the wrong key is caught. The header's body
// is its protobuf payload in plain (it says how to read the rest); every other body is the
// payload sealed with the store's data encryption key (record-cipher.ts, the key as associated
// data), so nothing the cluster stores (secrets, the root CA key) is on disk in plain.

import { crc32 } from 'node:zlib';
import type { RecordCipher } from './record-cipher.js';

/**
 * Version 3: as 2, and every record but the header is sealed (encryption at rest).
 * Version 2 (older builds): plain records, witnessed by a durable watermark file
 * (durable-watermark.ts) next to the log, which must exist.
 * Version 1 (older builds): plain records, no watermark.
 * Versions 1 and 2 are upgraded to 3 when opened.
 */
export const FORMAT_VERSION = 3;
export const PLAIN_FORMAT_VERSION = 2;
export const UNWITNESSED_FORMAT_VERSION = 1;
export const STORE_KIND = 'shoal-raft-log';

export const HEADER_KEY = Uint8Array.of(0x76); // 'v'
export const HARD_STATE_KEY = Uint8Array.of(0x68); // 'h'
export const LOG_START_KEY = Uint8Array.of(0x6f); // 'o'
export const SNAPSHOT_KEY = Uint8Array.of(0x73); // 's'
const ENTRY_PREFIX = 0x65; // 'e'
const ENTRY_KEY_LENGTH = 9;
const CRC_LENGTH = 4;

export function entryKey(index: number): Uint8Array {
  if (!Number.isSafeInteger(index) || index < 0) throw new RangeError(`bad log index ${index}`);
  const key = new Uint8Array(ENTRY_KEY_LENGTH);
  const view = new DataView(key.buffer);
  key[0] = ENTRY_PREFIX;
  view.setUint32(1, Math.floor(index / 0x1_0000_0000));
  view.setUint32(5, index >>> 0);
  return key;
}

/** The log index an entry key names, or undefined if `key` is not an entry key. */
export function entryIndexOfKey(key: Uint8Array): number | undefined {
  if (key.byteLength !== ENTRY_KEY_LENGTH || key[0] !== ENTRY_PREFIX) return undefined;
  const view = new DataView(key.buffer, key.byteOffset, key.byteLength);
  const high = view.getUint32(1);
  if (high > 0x1fffff) return undefined;
  return high * 0x1_0000_0000 + view.getUint32(5);
}

export function sameKey(a: Uint8Array, b: Uint8Array): boolean {
  return a.byteLength === b.byteLength && a.every((x, i) => x === b[i]);
}

/** A readable name for a key, for error messages. */
export function describeKey(key: Uint8Array): string {
  const index = entryIndexOfKey(key);
  if (index !== undefined) return `entry ${index}`;
  if (sameKey(key, HEADER_KEY)) return 'format header';
  if (sameKey(key, HARD_STATE_KEY)) return 'hard state';
  if (sameKey(key, LOG_START_KEY)) return 'log start';
  if (sameKey(key, SNAPSHOT_KEY)) return 'snapshot';
  return `key 0x${Buffer.from(key).toString('hex')}`;
}

function checksum(key: Uint8Array, payload: Uint8Array): number {
  return crc32(payload, crc32(key));
}

/** The stored value for `payload` under `key`. */
export function frame(key: Uint8Array, payload: Uint8Array): Uint8Array {
  const out = new Uint8Array(CRC_LENGTH + payload.byteLength);
  new DataView(out.buffer).setUint32(0, checksum(key, payload));
  out.set(payload, CRC_LENGTH);
  return out;
}

/** The stored value for `payload` under `key`, sealed with `cipher`. */
export function sealedFrame(cipher: RecordCipher, key: Uint8Array, payload: Uint8Array): Uint8Array {
  return frame(key, cipher.seal(key, payload));
}

export type Unframed = { readonly payload: Uint8Array } | { readonly problem: string };

/** The payload of a stored value, or what is wrong with it. */
export function unframe(key: Uint8Array, value: Uint8Array): Unframed {
  if (value.byteLength < CRC_LENGTH) return { problem: `value too short (${value.byteLength} bytes)` };
  const stored = new DataView(value.buffer, value.byteOffset, value.byteLength).getUint32(0);
  const payload = value.subarray(CRC_LENGTH);
  if (stored !== checksum(key, payload)) return { problem: 'checksum mismatch' };
  return { payload };
}
