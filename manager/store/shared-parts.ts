// Parts that many stored objects hold equal copies of, kept once. Every task carries its
// service's whole TaskSpec and annotations (as in swarmkit), so 1,000 replicas held 1,000 equal
// copies: about two thirds of a task's heap. Stored objects are deeply frozen, so an object
// entering a table can hold the value an earlier object already holds instead of its own copy.
//
// Only identity changes: a shared value is sameJson-equal to the copy it replaces (key order
// included), so every replica holds the same content whichever copy it keeps, and the hash, the
// snapshot and the API see no difference. Values are counted by the objects in the table that
// hold them and dropped when the last one leaves, so the pool never outgrows the table.

import type { ObjectOf, StoredObjectBase, TableName } from '../../api/objects/index.js';
import { sameJson } from './same-json.js';

/** A field whose value is shared between objects, looked up among values of the same bucket. */
export interface SharedFieldDef<T> {
  readonly field: keyof T & string;
  /** Objects likely to hold equal values have the same bucket (the tasks of one service). */
  bucket(obj: T): string;
}

type SharedFieldDefs = { readonly [K in TableName]: readonly SharedFieldDef<ObjectOf<K>>[] };

export const SHARED_FIELDS = {
  clusters: [],
  configs: [],
  networks: [],
  nodes: [],
  secrets: [],
  services: [],
  tasks: [
    { field: 'spec', bucket: (t) => t.serviceId },
    { field: 'serviceAnnotations', bucket: (t) => t.serviceId },
  ],
} as const satisfies SharedFieldDefs;

/**
 * Distinct values held at once per bucket. A service has a few specs alive at a time (the
 * current one and those of the finished tasks kept as history); a bucket with more distinct
 * values than this (only hostile or odd writers make one) keeps further values unshared, so an
 * insert compares with at most this many values.
 */
export const MAX_VALUES_PER_BUCKET = 16;

interface Entry {
  readonly value: object;
  refs: number;
}

/** The shared values of one field: per bucket, each distinct value and how many objects hold it. */
class SharedPool {
  readonly #buckets = new Map<string, Entry[]>();

  /** The pooled value equal to `value` (one more holder), else `value` itself, pooled if room. */
  take(bucket: string, value: object): object {
    const entries = this.#buckets.get(bucket);
    if (entries === undefined) {
      this.#buckets.set(bucket, [{ value, refs: 1 }]);
      return value;
    }
    for (const entry of entries) {
      if (entry.value === value || sameJson(entry.value, value)) {
        entry.refs++;
        return entry.value;
      }
    }
    if (entries.length < MAX_VALUES_PER_BUCKET) entries.push({ value, refs: 1 });
    return value;
  }

  /** One holder of `value` left (a value that was never pooled is ignored). */
  release(bucket: string, value: object): void {
    const entries = this.#buckets.get(bucket);
    if (entries === undefined) return;
    const i = entries.findIndex((entry) => entry.value === value);
    if (i < 0) return;
    const entry = entries[i]!;
    if (--entry.refs > 0) return;
    entries.splice(i, 1);
    if (entries.length === 0) this.#buckets.delete(bucket);
  }

  /** Number of distinct pooled values (for tests and figures). */
  get size(): number {
    let n = 0;
    for (const entries of this.#buckets.values()) n += entries.length;
    return n;
  }
}

/** The shared parts of one table's objects. */
export class SharedParts<T extends StoredObjectBase> {
  readonly #fields: readonly { readonly def: SharedFieldDef<T>; readonly pool: SharedPool }[];

  constructor(defs: readonly SharedFieldDef<T>[]) {
    this.#fields = defs.map((def) => ({ def, pool: new SharedPool() }));
  }

  get empty(): boolean {
    return this.#fields.length === 0;
  }

  /**
   * Registers `obj` as a holder of its shared parts and returns it, or a frozen copy holding the
   * pooled values where they differ from its own (equal content, as sameJson compares).
   */
  take(obj: T): T {
    let out: Record<string, unknown> | undefined;
    for (const { def, pool } of this.#fields) {
      const value = obj[def.field];
      if (typeof value !== 'object' || value === null) continue;
      const shared = pool.take(def.bucket(obj), value);
      if (shared !== value) {
        out ??= { ...obj } as Record<string, unknown>;
        out[def.field] = shared;
      }
    }
    return out === undefined ? obj : (Object.freeze(out) as T);
  }

  /** `obj` (as returned by take) no longer holds its parts. */
  release(obj: T): void {
    for (const { def, pool } of this.#fields) {
      const value = obj[def.field];
      if (typeof value === 'object' && value !== null) pool.release(def.bucket(obj), value);
    }
  }

  /** Number of distinct values held per field (for tests and figures). */
  sizes(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const { def, pool } of this.#fields) out[def.field] = pool.size;
    return out;
  }
}
