// Snapshot format 2: format 1's lines, with each shared part (a task's spec, its service's
// annotations: shared-parts.ts) written once and named by number from the objects that hold it,
// the whole body deflated. 100,000 tasks: 162 MiB in format 1, a few MiB here.
//
//   {"v":2,"index":N,"codec":"deflate-raw","bytes":B}\n       the header, then deflate-raw of:
//   {"p":K,"v":<JSON value>}                                part K (0, 1, 2, ... in order)
//   {"t":"<table>","r":["spec",...],"o":{...}}               an object; each field named in r
//                                                           holds a part number, defined earlier
//
// Bounded against hostile input: the body must inflate to exactly B bytes, B at most
// MAX_SNAPSHOT_BYTES (zlib stops at B, so a decompression bomb costs at most that much memory),
// and the objects with their parts put back may come to at most MAX_EXPANDED_BYTES of JSON (a
// small part named by many objects is checked once per object). Past either bound, a reference
// to a part not defined before it, or a part out of order, the snapshot is malformed.

import { deflateRawSync, inflateRawSync } from 'node:zlib';
import { MalformedSnapshotError } from './errors.js';
import { TABLE_NAMES, type StoredObject, type TableName } from '../../api/objects/index.js';
import { isRecord, MAX_DEPTH } from '../../api/objects/shape.js';
import { frozenDepth } from './freeze.js';
import { SHARED_FIELDS } from './shared-parts.js';
import { forEachLine, headerIndex, SnapshotReader, type DecodedSnapshot } from './snapshot-reader.js';
import { encodeSnapshotV1, LineChunks, sortedById } from './snapshot-v1.js';
import type { Tables } from './tables.js';

export const SNAPSHOT_CODEC = 'deflate-raw';

/**
 * Largest body (inflated) read or written: 512 MiB. 100,000 tasks take about 50 MiB; a store
 * whose body would be larger is written in format 1, which has no such bound.
 */
export const MAX_SNAPSHOT_BYTES = 512 * 2 ** 20;

/** Largest total of the objects' JSON with parts put back (what format 1 would hold): 2 GiB. */
export const MAX_EXPANDED_BYTES = 2 * 2 ** 30;

/** Most fields of one object that name parts. */
const MAX_REFS = 16;

/**
 * zlib level 1: on 100,000 tasks, level 6 makes the snapshot a few percent smaller at several
 * times the time, spent on the leader's event loop.
 */
export const SNAPSHOT_LEVEL = 1;

/** Fields of each table whose object values are written as parts. */
const PART_FIELDS = Object.fromEntries(
  TABLE_NAMES.map((name) => [
    name,
    (SHARED_FIELDS[name] as readonly { field: string; kind: string }[])
      .filter((def) => def.kind === 'object')
      .map((def) => def.field),
  ]),
) as Readonly<Record<string, readonly string[]>>;

/**
 * Format 2's body, built one object at a time in snapshot order (tables by name, objects by ID):
 * each part is numbered and written the first time an object holding it is.
 */
export class BodyV2 {
  readonly out = new LineChunks();
  // By identity: objects in a table hold one copy of each equal part (shared-parts.ts); a copy
  // left unshared is written as a part of its own, which costs a line, not correctness.
  readonly #parts = new Map<object, number>();

  add(name: TableName, obj: StoredObject): void {
    const whole = obj as unknown as Record<string, unknown>;
    let record: Record<string, unknown> | undefined;
    const refs: string[] = [];
    for (const field of PART_FIELDS[name] ?? []) {
      const value = whole[field];
      if (typeof value !== 'object' || value === null) continue;
      let n = this.#parts.get(value);
      if (n === undefined) {
        n = this.#parts.size;
        this.#parts.set(value, n);
        this.out.push(`{"p":${n},"v":${JSON.stringify(value)}}`);
      }
      record ??= { ...whole };
      record[field] = n;
      refs.push(field);
    }
    this.out.push(
      record === undefined
        ? `{"t":"${name}","o":${JSON.stringify(obj)}}`
        : `{"t":"${name}","r":${JSON.stringify(refs)},"o":${JSON.stringify(record)}}`,
    );
  }
}

/** The whole snapshot: header line, then the deflated body (`packed`) of `bytes` bytes. */
export function joinV2(index: number, bytes: number, packed: readonly Buffer[]): Uint8Array {
  const header = Buffer.from(`${JSON.stringify({ v: 2, index, codec: SNAPSHOT_CODEC, bytes })}\n`, 'utf8');
  const all = Buffer.concat([header, ...packed]);
  return new Uint8Array(all.buffer, all.byteOffset, all.byteLength);
}

/** `maxBytes`: the largest body written in this format (lower in tests only). */
export function encodeSnapshotV2(tables: Tables, index: number, maxBytes = MAX_SNAPSHOT_BYTES): Uint8Array {
  const body = new BodyV2();
  for (const name of TABLE_NAMES) {
    for (const obj of sortedById(tables.any(name))) body.add(name, obj);
  }
  const all = body.out.concat();
  if (all.length > maxBytes) return encodeSnapshotV1(tables, index);
  return joinV2(index, all.length, [deflateRawSync(all, { level: SNAPSHOT_LEVEL })]);
}

function inflate(data: Uint8Array, bytes: number): Buffer {
  let body: Buffer;
  try {
    body = inflateRawSync(data, { maxOutputLength: Math.max(bytes, 1) });
  } catch (e: unknown) {
    if (e instanceof RangeError) throw new MalformedSnapshotError(`body inflates past its ${bytes} bytes`);
    const why = e instanceof Error ? e.message : String(e);
    throw new MalformedSnapshotError(`body does not inflate (${why})`);
  }
  if (body.length !== bytes) {
    throw new MalformedSnapshotError(`body inflates to ${body.length} bytes, not the header's ${bytes}`);
  }
  return body;
}

/** Puts the parts named in `refs` into `obj`; returns their total size in bytes. */
function resolveRefs(
  obj: unknown,
  refs: unknown,
  parts: readonly unknown[],
  sizes: readonly number[],
  lineNo: number,
): number {
  if (!Array.isArray(refs) || refs.length === 0 || refs.length > MAX_REFS || !isRecord(obj)) {
    throw new MalformedSnapshotError(`line ${lineNo}: r must list 1 to ${MAX_REFS} fields of an object`);
  }
  let size = 0;
  const seen = new Set<string>();
  for (const field of refs as unknown[]) {
    // __proto__ is refused: assigning it would set the object's prototype, not a field.
    if (typeof field !== 'string' || field === '__proto__' || seen.has(field) || !Object.hasOwn(obj, field)) {
      throw new MalformedSnapshotError(`line ${lineNo}: r names ${JSON.stringify(field)}, not a field of o`);
    }
    seen.add(field);
    const n = obj[field];
    if (!Number.isSafeInteger(n) || (n as number) < 0 || (n as number) >= parts.length) {
      throw new MalformedSnapshotError(
        `line ${lineNo}: ${field} names part ${String(n)}, not defined before it`,
      );
    }
    obj[field] = parts[n as number];
    size += sizes[n as number]!;
  }
  return size;
}

/** Decodes a format 2 snapshot whose header (already parsed) ends before byte `start`. */
export function decodeSnapshotV2(
  data: Uint8Array,
  start: number,
  header: Record<string, unknown>,
): DecodedSnapshot {
  const index = headerIndex(header);
  if (header['codec'] !== SNAPSHOT_CODEC) throw new MalformedSnapshotError('unsupported codec');
  const bytes = header['bytes'];
  if (!Number.isSafeInteger(bytes) || (bytes as number) < 0 || (bytes as number) > MAX_SNAPSHOT_BYTES) {
    throw new MalformedSnapshotError(`header bytes must be an integer from 0 to ${MAX_SNAPSHOT_BYTES}`);
  }
  const body = inflate(data.subarray(start), bytes as number);
  const reader = new SnapshotReader(index);
  const parts: unknown[] = [];
  const sizes: number[] = [];
  // Each part is frozen once, its depth kept, so an object's depth check does not walk it again.
  const depths = new Map<object, number>();
  let expanded = 0;
  forEachLine(body, 0, 2, (value, lineNo, lineBytes) => {
    if (!isRecord(value)) throw new MalformedSnapshotError(`line ${lineNo} is not a record`);
    expanded += lineBytes;
    if ('p' in value) {
      if (value['p'] !== parts.length || !('v' in value) || Object.keys(value).length !== 2) {
        throw new MalformedSnapshotError(`line ${lineNo} is not part ${parts.length} as {"p","v"}`);
      }
      const part = value['v'];
      if (typeof part === 'object' && part !== null) depths.set(part, frozenDepth(part, MAX_DEPTH));
      parts.push(part);
      sizes.push(lineBytes);
      return;
    }
    const name = value['t'];
    const keys = Object.keys(value).length;
    if (typeof name !== 'string' || !('o' in value) || keys !== ('r' in value ? 3 : 2)) {
      throw new MalformedSnapshotError(`line ${lineNo} is not a {"t","r","o"} record`);
    }
    const obj = value['o'];
    if ('r' in value) expanded += resolveRefs(obj, value['r'], parts, sizes, lineNo);
    if (expanded > MAX_EXPANDED_BYTES) {
      throw new MalformedSnapshotError(
        `objects come to more than ${MAX_EXPANDED_BYTES} bytes with their parts`,
      );
    }
    reader.admit(name, obj, lineNo, depths);
  });
  return reader.finish();
}
