// Whole-store snapshots and the store hash.
//
// Snapshot format (UTF-8, one JSON document per line, so neither side builds one giant string):
//   {"v":1,"index":N}
//   {"t":"<table>","o":{...object...}}      one line per object, tables by name, objects by ID
//
// Decoding checks every line as strictly as a command and builds fresh tables and indexes.
// Bad data (no or a wrong header, a line that is not UTF-8 JSON or not a {"t","o"} record) is
// refused whole with MalformedSnapshotError and the store keeps its state: those bytes are
// damaged, and nothing in them can be trusted. A well-formed line whose object this version
// refuses (its shape check, nesting depth, a version past the snapshot's index, an ID or unique
// name already taken by an earlier line, a table this version does not have) is skipped and
// reported: that is what applying the command that wrote it would do here (refuse it), every
// member decoding the same snapshot skips the same lines, and one such object must not keep a
// manager from ever catching up (a refused restore stops the Raft node, and the leader would
// send the same snapshot again).
//
// hash() is sha256 over the canonical JSON of every object, sorted by table and ID: two
// replicas with equal hashes hold identical objects (the applied index is not part of it).

import { createHash } from 'node:crypto';
import { canonicalJson } from './canonical-json.js';
import { MalformedSnapshotError } from './errors.js';
import type { ChangeEvent } from './events.js';
import { freezeWithin } from './freeze.js';
import { isTableName, TABLE_NAMES, type StoredObject } from '../../api/objects/index.js';
import { checkObject, isRecord, isValidId, MAX_DEPTH } from '../../api/objects/shape.js';
import type { Table } from './table.js';
import { Tables } from './tables.js';

export const SNAPSHOT_VERSION = 1;

/** Lines are encoded in chunks of about this many characters. */
const CHUNK_CHARS = 1 << 22;

function sortedById(table: Table<StoredObject>): StoredObject[] {
  return [...table.values()].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

export function encodeSnapshot(tables: Tables, index: number): Uint8Array {
  const chunks: Buffer[] = [];
  let lines: string[] = [JSON.stringify({ v: SNAPSHOT_VERSION, index })];
  let chars = lines[0]!.length;
  const flush = (): void => {
    chunks.push(Buffer.from(`${lines.join('\n')}\n`, 'utf8'));
    lines = [];
    chars = 0;
  };
  for (const name of TABLE_NAMES) {
    for (const obj of sortedById(tables.any(name))) {
      const line = `{"t":"${name}","o":${JSON.stringify(obj)}}`;
      lines.push(line);
      chars += line.length;
      if (chars >= CHUNK_CHARS) flush();
    }
  }
  if (lines.length > 0) flush();
  const all = Buffer.concat(chunks);
  return new Uint8Array(all.buffer, all.byteOffset, all.byteLength);
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

function parseLine(data: Uint8Array, start: number, end: number, lineNo: number): unknown {
  try {
    return JSON.parse(utf8.decode(data.subarray(start, end)));
  } catch {
    throw new MalformedSnapshotError(`line ${lineNo} is not UTF-8 JSON`);
  }
}

/** A line of a snapshot that was left out, and why. */
export interface SkippedLine {
  readonly line: number;
  readonly table: string;
  /** The object's ID when it has a printable one. */
  readonly id: string | undefined;
  readonly reason: string;
}

export interface DecodedSnapshot {
  /** The applied index the snapshot was taken at. */
  readonly index: number;
  readonly tables: Tables;
  /** Objects left out (see above); empty for a snapshot this version wrote. */
  readonly skipped: readonly SkippedLine[];
}

/** Most skipped lines listed one by one (the rest are only counted). */
const MAX_SKIPS_LISTED = 100;

function printableId(obj: unknown): string | undefined {
  const id = isRecord(obj) ? obj['id'] : undefined;
  return isValidId(id) ? id : undefined;
}

/** Decodes a snapshot into fresh tables; throws MalformedSnapshotError for damaged data. */
export function decodeSnapshot(data: Uint8Array): DecodedSnapshot {
  let start = 0;
  let lineNo = 0;
  let index = -1;
  const tables = new Tables();
  const skipped: SkippedLine[] = [];
  let unlisted = 0;
  const skip = (table: string, obj: unknown, reason: string): void => {
    if (skipped.length < MAX_SKIPS_LISTED)
      skipped.push({ line: lineNo, table, id: printableId(obj), reason });
    else unlisted++;
  };
  while (start < data.length) {
    let end = data.indexOf(0x0a, start);
    if (end < 0) end = data.length;
    const value = parseLine(data, start, end, ++lineNo);
    start = end + 1;
    if (lineNo === 1) {
      if (!isRecord(value) || value['v'] !== SNAPSHOT_VERSION) {
        throw new MalformedSnapshotError('missing or unsupported header');
      }
      const headerIndex = value['index'];
      if (!Number.isSafeInteger(headerIndex) || (headerIndex as number) < 0) {
        throw new MalformedSnapshotError('header index must be an integer >= 0');
      }
      index = headerIndex as number;
      continue;
    }
    if (!isRecord(value) || typeof value['t'] !== 'string' || !('o' in value)) {
      throw new MalformedSnapshotError(`line ${lineNo} is not a {"t","o"} record`);
    }
    const name = value['t'];
    const obj = value['o'];
    if (!isTableName(name)) {
      skip(name.slice(0, 64), obj, 'no such table');
      continue;
    }
    const table = tables.any(name);
    const problem = checkObject(table.name, obj);
    if (problem !== undefined) {
      skip(name, obj, problem);
      continue;
    }
    if (!freezeWithin(obj, MAX_DEPTH)) {
      skip(name, obj, `nested deeper than ${MAX_DEPTH} levels`);
      continue;
    }
    const stored = obj as StoredObject;
    if (stored.meta.version < 1 || stored.meta.version > index) {
      skip(name, obj, `version ${stored.meta.version} outside 1..${index}`);
      continue;
    }
    if (table.has(stored.id)) {
      skip(name, obj, `duplicate ${table.name}/${stored.id}`);
      continue;
    }
    const taken = table.uniqueIndexes().find((unique) => {
      const key = unique.keyOf(stored);
      return key !== undefined && unique.owner(key) !== undefined;
    });
    if (taken !== undefined) {
      skip(name, obj, `duplicate ${table.name} ${taken.name} ${taken.keyOf(stored)}`);
      continue;
    }
    table.insert(stored);
  }
  if (index < 0) throw new MalformedSnapshotError('empty snapshot');
  if (unlisted > 0) {
    skipped.push({ line: lineNo, table: '', id: undefined, reason: `and ${unlisted} more lines skipped` });
  }
  return { index, tables, skipped };
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
