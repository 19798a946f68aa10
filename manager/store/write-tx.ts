// Building a transaction. A WriteTx reads like a ReadTx but sees its own writes; it records at
// most one op per object (create then update is one create, create then delete is nothing),
// each object serialized once, when written (later changes to the writer's object are not
// seen). A write of an object that exists goes out as a patch of the committed object: only
// the top-level fields that are not the committed ones (by identity: stored objects are
// frozen, so the same reference is the same value) are serialized. Shape, existence and version are checked at once and throw; unique names are checked
// when the callback returns (`checkNames`); everything is checked again at apply, where
// whatever changed while the proposal was in flight is caught.

import { encodeCommand, UNPATCHABLE, type EncodableOp, type TxnOp } from './command.js';
import { patched } from './patch.js';
import { checkTransaction } from './apply-txn.js';
import {
  ConflictError,
  ExistsError,
  InvalidObjectError,
  NotFoundError,
  TxClosedError,
  type StoreError,
} from './errors.js';
import { deepFreeze } from './freeze.js';
import type { IndexName, NamedTable } from './indexes.js';
import type { NewObject, ObjectOf, StoredObject, TableName } from '../../api/objects/index.js';
import type { ReadTx } from './read-tx.js';
import { checkObject, isStoredTaskSpec, MAX_DEPTH, tooDeep } from '../../api/objects/shape.js';
import type { Tables } from './tables.js';

/** How to undo one #record: the entry as it was before (undefined: it did not exist). */
interface Undo {
  readonly touched: Map<string, Pending>;
  readonly id: string;
  readonly before: { readonly write: Written | null; readonly parsed: StoredObject | undefined } | undefined;
}

/** An object as it goes into the command: whole, or as a patch of the committed object. */
type Written =
  | {
      readonly kind: 'whole';
      readonly json: string;
      /** The object's `spec`, when it is a stored task spec sent once per command (see command.ts). */
      readonly spec?: object;
    }
  | {
      readonly kind: 'patch';
      readonly version: number;
      readonly updatedAt: string;
      /** The fields set, serialized. */
      readonly json: string;
      readonly unset: readonly string[];
    };

interface Pending {
  readonly table: TableName;
  readonly id: string;
  /** The committed object when first touched (undefined if it did not exist). */
  readonly base: StoredObject | undefined;
  /** The object now, serialized as it goes into the command (null once deleted). */
  write: Written | null;
  /** `write` parsed and frozen, made when this transaction first reads the object back. */
  parsed: StoredObject | undefined;
}

export class WriteTx implements ReadTx {
  readonly #tables: Tables;
  readonly #now: () => string;
  readonly #pending = new Map<TableName, Map<string, Pending>>();
  /** The undo journal of the innermost `attempt`, if one is running. */
  #journal: Undo[] | undefined;
  #writes = 0;
  #closed = false;

  constructor(tables: Tables, now: () => string) {
    this.#tables = tables;
    this.#now = now;
  }

  close(): void {
    this.#closed = true;
  }

  #open(): Tables {
    if (this.#closed) throw new TxClosedError();
    return this.#tables;
  }

  #touched(table: TableName): Map<string, Pending> | undefined {
    return this.#pending.get(table);
  }

  get<K extends TableName>(table: K, id: string): ObjectOf<K> | undefined {
    const tables = this.#open();
    const p = this.#touched(table)?.get(id);
    if (p !== undefined) return this.#current(p) as ObjectOf<K> | undefined;
    return tables.get(table).get(id);
  }

  list<K extends TableName>(table: K): ObjectOf<K>[] {
    const tables = this.#open();
    const touched = this.#touched(table);
    const out: ObjectOf<K>[] = [];
    for (const obj of tables.get(table).values()) if (touched?.has(obj.id) !== true) out.push(obj);
    for (const p of touched?.values() ?? []) {
      const current = this.#current(p);
      if (current !== undefined) out.push(current as ObjectOf<K>);
    }
    return out;
  }

  find<K extends TableName>(table: K, index: IndexName<K>, key: string): ObjectOf<K>[] {
    const t = this.#open().get(table);
    const touched = this.#touched(table);
    const committed = t.find(index, key);
    if (touched === undefined) return committed;
    const idx = t.index(index);
    const wanted = idx.normalize(key);
    const out = committed.filter((obj) => !touched.has(obj.id));
    for (const p of touched.values()) {
      const current = this.#current(p) as ObjectOf<K> | undefined;
      if (current !== undefined && idx.keyOf(current) === wanted) out.push(current);
    }
    return out;
  }

  getByName<K extends NamedTable>(table: K, name: string): ObjectOf<K> | undefined {
    return this.find(table, 'name' as IndexName<K>, name)[0];
  }

  count<K extends TableName>(table: K): number;
  count<K extends TableName>(table: K, index: IndexName<K>, key: string): number;
  count<K extends TableName>(table: K, index?: IndexName<K>, key?: string): number {
    if (index !== undefined && key !== undefined) return this.find(table, index, key).length;
    const tables = this.#open();
    let n = tables.get(table).size;
    for (const p of this.#touched(table)?.values() ?? []) {
      n += (p.write === null ? 0 : 1) - (p.base === undefined ? 0 : 1);
    }
    return n;
  }

  /** Adds a new object; the store fills in `meta`. Returns the object as proposed (a shallow copy). */
  create<K extends TableName>(table: K, object: NewObject<K>): ObjectOf<K> {
    const tables = this.#open();
    // One lookup: an object this transaction touched exists unless it deleted it.
    const p = this.#touched(table)?.get(object.id);
    const exists = p === undefined ? tables.get(table).has(object.id) : p.write !== null;
    if (exists) throw new ExistsError(table, object.id);
    const base = p?.base;
    const now = this.#now();
    // Re-creating an object deleted earlier in this transaction replaces it: an update of base.
    const meta =
      base === undefined
        ? { version: 0, createdAt: now, updatedAt: now }
        : { version: base.meta.version, createdAt: base.meta.createdAt, updatedAt: now };
    return this.#write(table, { ...object, meta } as ObjectOf<K>);
  }

  /**
   * Replaces an object. `object.meta.version` must be the version the writer read (as in
   * Docker's `service update --version`); otherwise ConflictError. Returns it as proposed.
   */
  update<K extends TableName>(table: K, object: ObjectOf<K>): ObjectOf<K> {
    const current = this.get(table, object.id);
    if (current === undefined) throw new NotFoundError(table, object.id);
    if (object.meta.version !== current.meta.version) {
      throw new ConflictError(table, object.id, object.meta.version, current.meta.version);
    }
    const meta = { version: current.meta.version, createdAt: current.meta.createdAt, updatedAt: this.#now() };
    return this.#write(table, { ...object, meta });
  }

  /** Deletes an object; if `version` is given it must be the object's current version. */
  delete(table: TableName, id: string, version?: number): void {
    const current = this.get(table, id);
    if (current === undefined) throw new NotFoundError(table, id);
    if (version !== undefined && version !== current.meta.version) {
      throw new ConflictError(table, id, version, current.meta.version);
    }
    this.#record(table, id, null);
  }

  #write<K extends TableName>(table: K, object: ObjectOf<K>): ObjectOf<K> {
    const committed = this.#tables.get(table).get(object.id);
    const problem = checkObject(table, object);
    if (problem !== undefined) throw new InvalidObjectError(table, problem);
    let written: Written;
    if (committed === undefined) {
      written = whole(table, object);
    } else {
      written = patchOf(table, committed, object);
    }
    this.#record(table, object.id, written);
    return object;
  }

  /** Objects this transaction has written so far (to bound how much one transaction carries). */
  get writes(): number {
    return this.#writes;
  }

  /**
   * Runs `fn` as one unit inside this transaction: if it throws, every write it made is undone
   * (the transaction is as before the call) and the error rethrown. Lets a loop that writes
   * many objects in one transaction skip the one that fails without losing the others.
   */
  attempt<T>(fn: () => T): T {
    this.#open();
    const outer = this.#journal;
    const journal: Undo[] = [];
    this.#journal = journal;
    try {
      const result = fn();
      if (outer !== undefined) for (const undo of journal) outer.push(undo);
      return result;
    } catch (e: unknown) {
      for (let i = journal.length - 1; i >= 0; i--) {
        const { touched, id, before } = journal[i]!;
        if (before === undefined) {
          touched.delete(id);
          this.#writes--;
        } else {
          const p = touched.get(id)!;
          p.write = before.write;
          p.parsed = before.parsed;
        }
      }
      throw e;
    } finally {
      this.#journal = outer;
    }
  }

  #record(table: TableName, id: string, write: Written | null): void {
    const tables = this.#open();
    let touched = this.#pending.get(table);
    if (touched === undefined) {
      touched = new Map();
      this.#pending.set(table, touched);
    }
    const p = touched.get(id);
    this.#journal?.push({
      touched,
      id,
      before: p === undefined ? undefined : { write: p.write, parsed: p.parsed },
    });
    if (p === undefined) {
      touched.set(id, { table, id, base: tables.get(table).get(id), write, parsed: undefined });
      this.#writes++;
    } else {
      p.write = write;
      p.parsed = undefined;
    }
  }

  /** The object as this transaction left it (a frozen copy of what will be proposed). */
  #current(p: Pending): StoredObject | undefined {
    const w = p.write;
    if (w === null) return undefined;
    if (p.parsed === undefined) {
      if (w.kind === 'whole') {
        const parsed = JSON.parse(w.json) as Record<string, unknown>;
        if (w.spec !== undefined) parsed['spec'] = w.spec;
        p.parsed = deepFreeze(parsed as unknown as StoredObject);
      } else {
        const set = JSON.parse(w.json) as Record<string, unknown>;
        // A patch is only written against the committed object, which is p.base.
        p.parsed = deepFreeze(
          patched(p.base!, { version: w.version, updatedAt: w.updatedAt, set, unset: w.unset }),
        );
      }
    }
    return p.parsed;
  }

  /**
   * Checks unique keys (names) against the state the transaction leads to, as apply will.
   * Only tables with unique indexes are looked at, so bulk task writes cost nothing here.
   */
  checkNames(): StoreError | undefined {
    const ops: TxnOp[] = [];
    for (const [table, touched] of this.#pending) {
      if (this.#tables.any(table).uniqueIndexes().length === 0) continue;
      for (const p of touched.values()) ops.push(...this.#op(p));
    }
    return ops.length === 0 ? undefined : checkTransaction(this.#tables, ops);
  }

  #op(p: Pending): TxnOp[] {
    const current = this.#current(p);
    if (current === undefined) {
      return p.base === undefined
        ? []
        : [{ op: 'delete', table: p.table, id: p.id, version: p.base.meta.version }];
    }
    return [{ op: p.base === undefined ? 'create' : 'update', table: p.table, object: current }];
  }

  /** True when the transaction changes nothing (nothing to propose). */
  get empty(): boolean {
    for (const p of this.#all()) if (p.write !== null || p.base !== undefined) return false;
    return true;
  }

  /** The command to propose: tables in the order first written, objects in the order first touched. */
  encode(): Uint8Array {
    const ops: EncodableOp[] = [];
    // Each stored spec written whole goes out once, whatever number of objects hold it.
    const specs: string[] = [];
    const specIndex = new Map<object, number>();
    const specOf = (spec: object): number => {
      let i = specIndex.get(spec);
      if (i === undefined) {
        i = specs.length;
        specs.push(JSON.stringify(spec));
        specIndex.set(spec, i);
      }
      return i;
    };
    for (const p of this.#all()) {
      const w = p.write;
      if (w === null) {
        if (p.base !== undefined)
          ops.push({ op: 'delete', table: p.table, id: p.id, version: p.base.meta.version });
      } else if (w.kind === 'patch') {
        ops.push({ op: 'patch', table: p.table, id: p.id, ...w });
      } else {
        const op = p.base === undefined ? 'create' : 'update';
        if (w.spec === undefined) ops.push({ op, table: p.table, json: w.json });
        else ops.push({ op, table: p.table, json: w.json, spec: specOf(w.spec) });
      }
    }
    return encodeCommand(ops, specs);
  }

  *#all(): Generator<Pending> {
    for (const touched of this.#pending.values()) yield* touched.values();
  }
}

/** Values JSON leaves out of an object (as if the field were absent). */
function dropped(value: unknown): boolean {
  return value === undefined || typeof value === 'function' || typeof value === 'symbol';
}

function serialize(table: TableName, value: unknown): string {
  try {
    return JSON.stringify(value);
  } catch (e: unknown) {
    throw new InvalidObjectError(table, `not serializable: ${e instanceof Error ? e.message : String(e)}`);
  }
}

/**
 * `object` written whole. A stored task spec (deeply frozen, so serializing it when the
 * command is encoded gives what it held when written) is left out, to be sent once.
 */
function whole(table: TableName, object: StoredObject): Written {
  const spec = (object as unknown as Record<string, unknown>)['spec'];
  if (isStoredTaskSpec(spec)) {
    // JSON leaves out a field that is undefined (and `delete` would slow the copy down).
    const rest = { ...object, spec: undefined };
    if (tooDeep(rest)) throw new InvalidObjectError(table, `nested deeper than ${MAX_DEPTH} levels`);
    return { kind: 'whole', json: serialize(table, rest), spec: spec as object };
  }
  if (tooDeep(object)) throw new InvalidObjectError(table, `nested deeper than ${MAX_DEPTH} levels`);
  return { kind: 'whole', json: serialize(table, object) };
}

/**
 * `object` as a patch of `committed` (same ID): the top-level fields that are not the very
 * same value set, the ones it lacks (or holds as undefined, which JSON drops) unset.
 */
function patchOf(table: TableName, committed: StoredObject, object: StoredObject): Written {
  const set: Record<string, unknown> = {};
  const from = committed as unknown as Record<string, unknown>;
  const to = object as unknown as Record<string, unknown>;
  for (const key of Object.keys(to)) {
    if (UNPATCHABLE.includes(key)) continue;
    const value = to[key];
    if (!dropped(value) && value !== from[key]) set[key] = value;
  }
  const unset: string[] = [];
  for (const key of Object.keys(from)) {
    if (!UNPATCHABLE.includes(key) && (!Object.hasOwn(to, key) || dropped(to[key]))) unset.push(key);
  }
  for (const key of Object.keys(set)) {
    if (tooDeep(set[key], MAX_DEPTH - 1))
      throw new InvalidObjectError(table, `nested deeper than ${MAX_DEPTH} levels`);
  }
  return {
    kind: 'patch',
    version: object.meta.version,
    updatedAt: object.meta.updatedAt,
    json: serialize(table, set),
    unset,
  };
}
