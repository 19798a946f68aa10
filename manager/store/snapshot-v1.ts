// Snapshot format 1, what managers wrote before format 2 (snapshot.ts): UTF-8 lines, no parts,
// no compression. Still read (a snapshot on disk or from a leader not yet upgraded); written
// only by tests and tools that need it.
//
//   {"v":1,"index":N}
//   {"t":"<table>","o":{...object...}}      one line per object, tables by name, objects by ID

import { MalformedSnapshotError } from './errors.js';
import { TABLE_NAMES, type StoredObject, type TableName } from '../../api/objects/index.js';
import { isRecord } from '../../api/objects/shape.js';
import { forEachLine, SnapshotReader, type DecodedSnapshot } from './snapshot-reader.js';
import type { Table } from './table.js';
import type { Tables } from './tables.js';

/** Lines are encoded in chunks of about this many characters. */
const CHUNK_CHARS = 1 << 18;

/** The order of a snapshot's objects within a table (IDs are unique, so the order is total). */
export function byId(a: StoredObject, b: StoredObject): number {
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

export function sortedById(table: Table<StoredObject>): StoredObject[] {
  return [...table.values()].sort(byId);
}

/** Joins lines into UTF-8 chunks of about CHUNK_CHARS (no giant string), newline-terminated. */
export class LineChunks {
  readonly chunks: Buffer[] = [];
  /** Bytes of every chunk made so far (drained ones included). */
  bytes = 0;
  #lines: string[] = [];
  #chars = 0;

  push(line: string): void {
    this.#lines.push(line);
    this.#chars += line.length;
    if (this.#chars >= CHUNK_CHARS) this.flush();
  }

  flush(): void {
    if (this.#lines.length === 0) return;
    const chunk = Buffer.from(`${this.#lines.join('\n')}\n`, 'utf8');
    this.chunks.push(chunk);
    this.bytes += chunk.length;
    this.#lines = [];
    this.#chars = 0;
  }

  /** Removes and returns the chunks made so far (for a writer that streams them). */
  drain(): Buffer[] {
    return this.chunks.splice(0);
  }

  concat(): Buffer {
    this.flush();
    return Buffer.concat(this.chunks);
  }
}

/** Format 1's header line. */
export function headerV1(index: number): string {
  return JSON.stringify({ v: 1, index });
}

/** Format 1's line for object `obj` of table `name`. */
export function lineV1(name: TableName, obj: StoredObject): string {
  return `{"t":"${name}","o":${JSON.stringify(obj)}}`;
}

export function encodeSnapshotV1(tables: Tables, index: number): Uint8Array {
  const out = new LineChunks();
  out.push(headerV1(index));
  for (const name of TABLE_NAMES) {
    for (const obj of sortedById(tables.any(name))) out.push(lineV1(name, obj));
  }
  const all = out.concat();
  return new Uint8Array(all.buffer, all.byteOffset, all.byteLength);
}

/** Decodes the object lines of a format 1 snapshot, which start at byte `start` (line 2). */
export function decodeSnapshotV1(data: Uint8Array, start: number, index: number): DecodedSnapshot {
  const reader = new SnapshotReader(index);
  forEachLine(data, start, 2, (value, lineNo) => {
    if (!isRecord(value) || typeof value['t'] !== 'string' || !('o' in value)) {
      throw new MalformedSnapshotError(`line ${lineNo} is not a {"t","o"} record`);
    }
    reader.admit(value['t'], value['o'], lineNo);
  });
  return reader.finish();
}
