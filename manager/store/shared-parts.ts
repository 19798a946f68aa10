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

/**
 * A field whose value is shared between objects. An object value is looked up among the values
 * of its bucket (objects likely to hold equal values: the tasks of one service); a string is its
 * own bucket (an ID many objects name: each task's serviceId was a string of its own).
 */
export type SharedFieldDef<T> =
  | { readonly field: keyof T & string; readonly kind: 'object'; bucket(obj: T): string }
  | { readonly field: keyof T & string; readonly kind: 'string' };

type SharedFieldDefs = { readonly [K in TableName]: readonly SharedFieldDef<ObjectOf<K>>[] };

export const SHARED_FIELDS = {
  clusters: [],
  configs: [],
  networks: [],
  nodes: [],
  secrets: [],
  services: [],
  tasks: [
    { field: 'spec', kind: 'object', bucket: (t) => t.serviceId },
    { field: 'serviceAnnotations', kind: 'object', bucket: (t) => t.serviceId },
    { field: 'serviceId', kind: 'string' },
    { field: 'nodeId', kind: 'string' },
  ],
} as const satisfies SharedFieldDefs;

/**
 * Distinct values held at once per bucket. A service has a few specs alive at a time (the
 * current one and those of the finished tasks kept as history); a bucket with more distinct
 * values than this (only hostile or odd writers make one) keeps further values unshared, so an
 * insert compares with at most this many values.
 */
export const MAX_VALUES_PER_BUCKET = 16;

/** A shared value: an object, or a string (equal strings are ===, but each may be a copy). */
type Shareable = object | string;

interface Entry {
  readonly value: Shareable;
  refs: number;
}

/** The shared values of one field: per bucket, each distinct value and how many objects hold it. */
class SharedPool {
  readonly #buckets = new Map<string, Entry[]>();

  /**
   * Takes one more holder of the pooled value equal to `value` and returns its entry; pools
   * `value` itself if none is equal and the bucket has room; else returns undefined.
   */
  take(bucket: string, value: Shareable): Entry | undefined {
    const entries = this.#buckets.get(bucket);
    if (entries === undefined) {
      const entry = { value, refs: 1 };
      this.#buckets.set(bucket, [entry]);
      return entry;
    }
    for (const entry of entries) {
      if (entry.value === value || (typeof value === 'object' && sameJson(entry.value, value))) {
        entry.refs++;
        return entry;
      }
    }
    if (entries.length >= MAX_VALUES_PER_BUCKET) return undefined;
    const entry = { value, refs: 1 };
    entries.push(entry);
    return entry;
  }

  /** One holder of `value` left (a value that was never pooled is ignored). */
  release(bucket: string, value: Shareable): void {
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

  /**
   * Registers `obj` as a holder of its shared parts and returns it, or a frozen copy holding the
   * pooled values where they differ from its own (equal content, as sameJson compares). With
   * `own`, `obj` is the caller's fresh, unfrozen object: the pooled values are put into it and
   * it is frozen and returned (no copy).
   */
  take(obj: T, own = false): T {
    let out: Record<string, unknown> | undefined = own ? (obj as Record<string, unknown>) : undefined;
    for (const { def, pool } of this.#fields) {
      const value = obj[def.field];
      let entry: Entry | undefined;
      if (def.kind === 'string') {
        if (typeof value !== 'string') continue;
        entry = pool.take(value, value);
        // Equal strings are === whether or not they are one copy: a string held by an earlier
        // object (a second holder) replaces this object's own.
        if (entry === undefined || entry.refs === 1) continue;
      } else {
        if (typeof value !== 'object' || value === null) continue;
        entry = pool.take(def.bucket(obj), value);
        if (entry === undefined || entry.value === value) continue;
      }
      out ??= { ...obj } as Record<string, unknown>;
      out[def.field] = entry.value;
    }
    return out === undefined ? obj : (Object.freeze(out) as unknown as T);
  }

  /** `obj` (as returned by take) no longer holds its parts. */
  release(obj: T): void {
    for (const { def, pool } of this.#fields) {
      const value = obj[def.field];
      if (def.kind === 'string') {
        if (typeof value === 'string') pool.release(value, value);
      } else if (typeof value === 'object' && value !== null) {
        pool.release(def.bucket(obj), value);
      }
    }
  }

  /** Number of distinct values held per field (for tests and figures). */
  sizes(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const { def, pool } of this.#fields) out[def.field] = pool.size;
    return out;
  }
}
