// Whole-store snapshots and the store hash.
//
// Snapshot format: format 2 (snapshot-v2.ts: shared parts written once, deflated) is written;
// format 1 (snapshot-v1.ts: one JSON line per object) is still read. Both start with a JSON
// header line {"v":N,"index":I,...}, and their objects come one per line, tables by name,
// objects by ID.
//
// Decoding checks every line as strictly as a command and builds fresh tables and indexes.
// Bad data (no or a wrong header, a body that does not inflate to its stated size, a line that
// is not UTF-8 JSON or not a record, a reference to a part not defined before it) is refused
// whole with MalformedSnapshotError and the store keeps its state: those bytes are damaged, and
// nothing in them can be trusted. A well-formed line whose object this version refuses (its
// shape check, nesting depth, a version past the snapshot's index, an ID or unique name already
// taken by an earlier line, a table this version does not have) is skipped and reported: that
// is what applying the command that wrote it would do here (refuse it), every member decoding
// the same snapshot skips the same lines, and one such object must not keep a manager from ever
// catching up (a refused restore stops the Raft node, and the leader would send the same
// snapshot again).
//
// hash() is sha256 over the canonical JSON of every object, sorted by table and ID: two
// replicas with equal hashes hold identical objects (the applied index is not part of it).

import { createHash } from 'node:crypto';
import { canonicalJson } from './canonical-json.js';
import { MalformedSnapshotError } from './errors.js';
import type { ChangeEvent } from './events.js';
import { TABLE_NAMES } from '../../api/objects/index.js';
import { isRecord } from '../../api/objects/shape.js';
import { headerIndex, type DecodedSnapshot } from './snapshot-reader.js';
import { decodeSnapshotV1, sortedById } from './snapshot-v1.js';
import { decodeSnapshotV2, encodeSnapshotV2 } from './snapshot-v2.js';
import type { Tables } from './tables.js';

export type { DecodedSnapshot, SkippedLine } from './snapshot-reader.js';
export { encodeSnapshotV1 } from './snapshot-v1.js';

/** The format written. */
export const SNAPSHOT_VERSION = 2;

/** Longest header line read (a header is about 80 bytes). */
const MAX_HEADER_BYTES = 1024;

export function encodeSnapshot(tables: Tables, index: number): Uint8Array {
  return encodeSnapshotV2(tables, index);
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** Decodes a snapshot of either format into fresh tables; throws MalformedSnapshotError for damaged data. */
export function decodeSnapshot(data: Uint8Array): DecodedSnapshot {
  if (data.length === 0) throw new MalformedSnapshotError('empty snapshot');
  let end = data.subarray(0, MAX_HEADER_BYTES + 1).indexOf(0x0a);
  if (end < 0) end = data.length;
  if (end > MAX_HEADER_BYTES) throw new MalformedSnapshotError('missing or unsupported header');
  let header: unknown;
  try {
    header = JSON.parse(utf8.decode(data.subarray(0, end)));
  } catch {
    throw new MalformedSnapshotError('line 1 is not UTF-8 JSON');
  }
  if (isRecord(header) && header['v'] === 1) return decodeSnapshotV1(data, end + 1, headerIndex(header));
  if (isRecord(header) && header['v'] === 2) return decodeSnapshotV2(data, end + 1, header);
  throw new MalformedSnapshotError('missing or unsupported header');
}

/** The change events that turn `from` into `to` (used to tell watchers what a restore changed). */
export function diffTables(from: Tables, to: Tables): ChangeEvent[] {
  const events: ChangeEvent[] = [];
  for (const name of TABLE_NAMES) {
    const before = from.any(name);
    const after = to.any(name);
    for (const obj of after.values()) {
      const old = before.get(obj.id);
      if (old === undefined) events.push({ action: 'create', table: name, object: obj } as ChangeEvent);
      else if (old.meta.version !== obj.meta.version) {
        events.push({ action: 'update', table: name, object: obj, oldObject: old } as ChangeEvent);
      }
    }
    for (const obj of before.values()) {
      if (!after.has(obj.id)) events.push({ action: 'delete', table: name, object: obj } as ChangeEvent);
    }
  }
  return events;
}

export function hashTables(tables: Tables): string {
  const hash = createHash('sha256');
  for (const name of TABLE_NAMES) {
    hash.update(`${name}\n`);
    for (const obj of sortedById(tables.any(name))) hash.update(`${canonicalJson(obj)}\n`);
  }
  return hash.digest('hex');
}
