// One table: objects by ID plus its secondary indexes, maintained incrementally on every
// insert, replace and delete (a change touches only the keys of the object that changed).
// Objects share equal parts through SharedParts (shared-parts.ts) while they are in the table.

import type { IndexDef } from './indexes.js';
import { StoreInvariantError } from './errors.js';
import type { StoredObjectBase, TableName } from '../../api/objects/index.js';
import { SharedParts, type SharedFieldDef } from './shared-parts.js';

/**
 * The IDs under one key: the ID itself while there is one (most keys of a task index name one
 * task: a slot, a service on a node), a Set from the second on. A Set costs about 100 bytes more
 * than the string, once per key.
 */
type IdsEntry = string | Set<string>;

const NONE: readonly string[] = [];

/** One secondary index: key → IDs of the objects with that key. */
export class SecondaryIndex<T extends StoredObjectBase> {
  readonly name: string;
  readonly def: IndexDef<T>;
  readonly #ids = new Map<string, IdsEntry>();

  constructor(name: string, def: IndexDef<T>) {
    this.name = name;
    this.def = def;
  }

  get unique(): boolean {
    return this.def.unique;
  }

  /** The key an object is filed under, or undefined if it is not in this index. */
  keyOf(obj: T): string | undefined {
    const value = this.def.value(obj);
    return value === undefined ? undefined : this.normalize(value);
  }

  /** Turns a query value into a key (e.g. lower-cases names). */
  normalize(value: string): string {
    return this.def.normalize === undefined ? value : this.def.normalize(value);
  }

  /** IDs filed under `key` (live: do not hold across changes). */
  ids(key: string): Iterable<string> {
    const ids = this.#ids.get(key);
    if (ids === undefined) return NONE;
    return typeof ids === 'string' ? [ids] : ids;
  }

  /** For unique indexes: the ID holding `key`, if any. */
  owner(key: string): string | undefined {
    const ids = this.#ids.get(key);
    if (ids === undefined || typeof ids === 'string') return ids;
    for (const id of ids) return id;
    return undefined;
  }

  count(key: string): number {
    const ids = this.#ids.get(key);
    if (ids === undefined) return 0;
    return typeof ids === 'string' ? 1 : ids.size;
  }

  add(obj: T): void {
    const key = this.keyOf(obj);
    if (key === undefined) return;
    const ids = this.#ids.get(key);
    if (ids === undefined) {
      this.#ids.set(key, obj.id);
      return;
    }
    if (this.unique) throw new StoreInvariantError(`unique index ${this.name} already holds key ${key}`);
    if (typeof ids !== 'string') {
      ids.add(obj.id);
    } else if (ids !== obj.id) {
      this.#ids.set(key, new Set([ids, obj.id]));
    }
  }

  remove(obj: T): void {
    const key = this.keyOf(obj);
    if (key === undefined) return;
    const ids = this.#ids.get(key);
    if (ids === obj.id) {
      this.#ids.delete(key);
      return;
    }
    if (ids === undefined || typeof ids === 'string' || !ids.delete(obj.id)) {
      throw new StoreInvariantError(`index ${this.name} lost ${obj.id} under key ${key}`);
    }
    // Back to the bare ID once one is left, so a key's cost follows what it holds now.
    if (ids.size === 1) for (const id of ids) this.#ids.set(key, id);
  }
}

export class Table<T extends StoredObjectBase> {
  readonly name: TableName;
  readonly #rows = new Map<string, T>();
  readonly #indexes = new Map<string, SecondaryIndex<T>>();
  readonly #unique: SecondaryIndex<T>[] = [];
  readonly #shared: SharedParts<T> | undefined;

  constructor(
    name: TableName,
    defs: Readonly<Record<string, IndexDef<T>>>,
    shared: readonly SharedFieldDef<T>[] = [],
  ) {
    this.name = name;
    this.#shared = shared.length === 0 ? undefined : new SharedParts(shared);
    for (const [indexName, def] of Object.entries(defs)) {
      const index = new SecondaryIndex(indexName, def);
      this.#indexes.set(indexName, index);
      if (def.unique) this.#unique.push(index);
    }
  }

  get size(): number {
    return this.#rows.size;
  }

  get(id: string): T | undefined {
    return this.#rows.get(id);
  }

  has(id: string): boolean {
    return this.#rows.has(id);
  }

  values(): IterableIterator<T> {
    return this.#rows.values();
  }

  index(name: string): SecondaryIndex<T> {
    const index = this.#indexes.get(name);
    if (index === undefined) throw new StoreInvariantError(`table ${this.name} has no index ${name}`);
    return index;
  }

  /** The unique indexes, checked before every create and update. */
  uniqueIndexes(): readonly SecondaryIndex<T>[] {
    return this.#unique;
  }

  /** Objects whose `index` key is `query` (normalized as the index does). Unordered. */
  find(index: string, query: string): T[] {
    const idx = this.index(index);
    const out: T[] = [];
    for (const id of idx.ids(idx.normalize(query))) out.push(this.#rows.get(id)!);
    return out;
  }

  /** Distinct shared values held per shared field (for tests and figures). */
  sharedSizes(): Record<string, number> {
    return this.#shared?.sizes() ?? {};
  }

  /**
   * `obj` registered with the shared parts: itself, or a frozen copy holding them. With `own`,
   * `obj` is the caller's fresh, unfrozen object (its fields frozen): the parts are put into it,
   * and it is frozen and kept, saving the copy.
   */
  #take(obj: T, own: boolean): T {
    if (this.#shared !== undefined) return this.#shared.take(obj, own);
    return own ? Object.freeze(obj) : obj;
  }

  /**
   * Adds a new object. The table keeps `obj` or a frozen copy equal to it (sameJson) that holds
   * parts shared with other objects: whoever hands the object on (change events) hands on
   * `get(obj.id)`. `own`: see #take. The caller has checked that its ID and unique keys are free.
   */
  insert(obj: T, own = false): void {
    if (this.#rows.has(obj.id)) throw new StoreInvariantError(`${this.name} already holds ${obj.id}`);
    const stored = this.#take(obj, own);
    const added: SecondaryIndex<T>[] = [];
    try {
      for (const index of this.#indexes.values()) {
        index.add(stored);
        added.push(index);
      }
    } catch (e: unknown) {
      // All or nothing: an index that refuses the object leaves no trace of it in the others.
      for (const index of added) index.remove(stored);
      this.#shared?.release(stored);
      throw e;
    }
    this.#rows.set(stored.id, stored);
  }

  /**
   * Puts `obj` in place of the object with its ID and returns the one it replaced, touching only
   * the index keys that differ between the two and the shared parts that are not the very same
   * value (an update of a task's status and node keeps its service, slot and spec keys). Ends
   * as `delete` then `insert` would, except that a unique key is never released on the way, so
   * tables with unique indexes (renames within a transaction) use those two. `own`: see #take.
   * The caller has checked that the object exists.
   */
  replace(obj: T, own = false): T {
    const old = this.#rows.get(obj.id);
    if (old === undefined) throw new StoreInvariantError(`${this.name} does not hold ${obj.id}`);
    // Take the new parts before releasing the old, so a part both hold is never dropped.
    const stored = this.#take(obj, own);
    const moved: { index: SecondaryIndex<T>; removed: boolean; added: boolean }[] = [];
    try {
      for (const index of this.#indexes.values()) {
        if (index.keyOf(old) === index.keyOf(stored)) continue;
        const step = { index, removed: false, added: false };
        moved.push(step);
        index.remove(old);
        step.removed = true;
        index.add(stored);
        step.added = true;
      }
    } catch (e: unknown) {
      // All or nothing, as insert: put back every key moved so far.
      for (let i = moved.length - 1; i >= 0; i--) {
        const { index, removed, added } = moved[i]!;
        if (added) index.remove(stored);
        if (removed) index.add(old);
      }
      this.#shared?.release(stored);
      throw e;
    }
    this.#shared?.release(old);
    this.#rows.set(stored.id, stored);
    return old;
  }

  /** Removes an object and returns it. The caller has checked that it exists. */
  delete(id: string): T {
    const obj = this.#rows.get(id);
    if (obj === undefined) throw new StoreInvariantError(`${this.name} does not hold ${id}`);
    for (const index of this.#indexes.values()) index.remove(obj);
    this.#shared?.release(obj);
    this.#rows.delete(id);
    return obj;
  }
}
