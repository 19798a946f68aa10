// A snapshot taken without stalling the event loop: the tables' objects are captured at once
// (stored objects are deeply frozen and never changed in place, so holding the references holds
// the state as of that moment, whatever is applied afterwards), then sorted, serialized and
// deflated in slices (snapshot-slices.ts), the deflating itself on libuv's thread pool.
//
// The bytes are those encodeSnapshot (snapshot.ts) gives for the same state: the same lines in
// the same order, and zlib's output does not depend on how its input is split into writes. So
// every member's snapshot of one index is the same whichever way it was taken.

import { once } from 'node:events';
import { createDeflateRaw, type DeflateRaw } from 'node:zlib';
import { TABLE_NAMES, type StoredObject, type TableName } from '../../api/objects/index.js';
import { Slicer, sortInSlices } from './snapshot-slices.js';
import { byId, headerV1, LineChunks, lineV1 } from './snapshot-v1.js';
import { BodyV2, joinV2, MAX_SNAPSHOT_BYTES, SNAPSHOT_LEVEL } from './snapshot-v2.js';
import type { Tables } from './tables.js';

/** The store's objects at one applied index, each table's in no particular order. */
export interface CapturedTables {
  readonly index: number;
  readonly tables: readonly (readonly [TableName, readonly StoredObject[]])[];
}

/** Deflated bytes waiting in the stream before the encoder waits for zlib to catch up. */
const MAX_PENDING_BYTES = 32 * 2 ** 20;

/** Captures every table's objects (references only: about 10 ms for 100,000 objects). */
export function captureTables(tables: Tables, index: number): CapturedTables {
  return { index, tables: TABLE_NAMES.map((name) => [name, [...tables.any(name).values()]] as const) };
}

/** A deflate-raw stream fed chunk by chunk, its output collected. */
class Deflater {
  readonly #z: DeflateRaw = createDeflateRaw({ level: SNAPSHOT_LEVEL });
  readonly #out: Buffer[] = [];
  #error: Error | undefined;

  constructor() {
    this.#z.on('data', (chunk: Buffer) => this.#out.push(chunk));
    // Kept for write() and end() to throw: an 'error' event nobody listens to would crash.
    this.#z.on('error', (e: Error) => (this.#error ??= e));
  }

  async write(chunks: readonly Buffer[]): Promise<void> {
    for (const chunk of chunks) this.#z.write(chunk);
    if (this.#z.writableLength > MAX_PENDING_BYTES) await once(this.#z, 'drain');
    if (this.#error !== undefined) throw this.#error;
  }

  async end(): Promise<Buffer[]> {
    const ended = once(this.#z, 'end');
    this.#z.end();
    await ended;
    if (this.#error !== undefined) throw this.#error;
    return this.#out;
  }

  destroy(): void {
    this.#z.destroy();
  }
}

async function sortedTables(
  captured: CapturedTables,
  slicer: Slicer,
): Promise<(readonly [TableName, StoredObject[]])[]> {
  const out: (readonly [TableName, StoredObject[]])[] = [];
  for (const [name, objs] of captured.tables) out.push([name, await sortInSlices(objs, byId, slicer)]);
  return out;
}

export interface EncodeOptions {
  /** How long a slice runs (default SLICE_MS). */
  readonly sliceMs?: number;
  /** Largest body written in format 2, as encodeSnapshotV2's (lower in tests only). */
  readonly maxBytes?: number;
}

/**
 * Encodes a captured state as encodeSnapshot would, in slices; rejects with the signal's reason
 * once `signal` aborts (checked between slices), leaving nothing behind.
 */
export async function encodeCaptured(
  captured: CapturedTables,
  signal: AbortSignal,
  o: EncodeOptions = {},
): Promise<Uint8Array> {
  const maxBytes = o.maxBytes ?? MAX_SNAPSHOT_BYTES;
  const slicer = new Slicer(signal, o.sliceMs);
  const tables = await sortedTables(captured, slicer);
  const body = new BodyV2();
  const deflater = new Deflater();
  try {
    for (const [name, objs] of tables) {
      for (const obj of objs) {
        body.add(name, obj);
        if (!slicer.due) continue;
        await deflater.write(body.out.drain());
        // Past the bound, format 2 is not written (see snapshot-v2.ts).
        if (body.out.bytes > maxBytes) return await encodeV1(captured.index, tables, slicer);
        await slicer.pause();
      }
    }
    body.out.flush();
    if (body.out.bytes > maxBytes) return await encodeV1(captured.index, tables, slicer);
    await deflater.write(body.out.drain());
    const packed = await deflater.end();
    signal.throwIfAborted();
    return joinV2(captured.index, body.out.bytes, packed);
  } finally {
    deflater.destroy();
  }
}

async function encodeV1(
  index: number,
  tables: readonly (readonly [TableName, readonly StoredObject[]])[],
  slicer: Slicer,
): Promise<Uint8Array> {
  const out = new LineChunks();
  out.push(headerV1(index));
  for (const [name, objs] of tables) {
    for (const obj of objs) {
      out.push(lineV1(name, obj));
      if (slicer.due) await slicer.pause();
    }
  }
  const all = out.concat();
  return new Uint8Array(all.buffer, all.byteOffset, all.byteLength);
}
