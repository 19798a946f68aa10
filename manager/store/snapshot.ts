// Whole-store snapshots and the store hash.
//
// Snapshot format (UTF-8, one JSON document per line, so neither side builds one giant string):
//   {"v":1,"index":N}
//   {"t":"<table>","o":{...object...}}      one line per object, tables by name, objects by ID
//
// Decoding checks every line as strictly as a command and builds fresh tables and indexes; a
// bad snapshot is refused with MalformedSnapshotError and the store keeps its state.
//
// hash() is sha256 over the canonical JSON of every object, sorted by table and ID: two
// replicas with equal hashes hold identical objects (the applied index is not part of it).

import { createHash } from 'node:crypto';
import { canonicalJson } from './canonical-json.js';
import { MalformedSnapshotError } from './errors.js';
import type { ChangeEvent } from './events.js';
import { freezeWithin } from './freeze.js';
import { isTableName, TABLE_NAMES, type StoredObject } from './objects/index.js';
import { checkObject, isRecord, MAX_DEPTH } from './shape.js';
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

export interface DecodedSnapshot {
  /** The applied index the snapshot was taken at. */
  readonly index: number;
  readonly tables: Tables;
}

/** Decodes a snapshot into fresh tables; throws MalformedSnapshotError. */
export function decodeSnapshot(data: Uint8Array): DecodedSnapshot {
  let start = 0;
  let lineNo = 0;
  let index = -1;
  const tables = new Tables();
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
    if (!isRecord(value) || !isTableName(value['t'])) {
      throw new MalformedSnapshotError(`line ${lineNo} does not name a table`);
    }
    const table = tables.any(value['t']);
    const obj = value['o'];
    const problem = checkObject(table.name, obj);
    if (problem !== undefined) throw new MalformedSnapshotError(`line ${lineNo}: ${problem}`);
    if (!freezeWithin(obj, MAX_DEPTH)) throw new MalformedSnapshotError(`line ${lineNo}: nested too deep`);
    const stored = obj as StoredObject;
    if (stored.meta.version < 1 || stored.meta.version > index) {
      throw new MalformedSnapshotError(`line ${lineNo}: version ${stored.meta.version} outside 1..${index}`);
    }
    if (table.has(stored.id))
      throw new MalformedSnapshotError(`line ${lineNo}: duplicate ${table.name}/${stored.id}`);
    for (const unique of table.uniqueIndexes()) {
      const key = unique.keyOf(stored);
      if (key !== undefined && unique.owner(key) !== undefined) {
        throw new MalformedSnapshotError(`line ${lineNo}: duplicate ${table.name} ${unique.name} ${key}`);
      }
    }
    table.insert(stored);
  }
  if (index < 0) throw new MalformedSnapshotError('empty snapshot');
  return { index, tables };
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
