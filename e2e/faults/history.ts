// The history a fault run records: every write a client invoked against the cluster's API
// (service create, or a versioned service update), with when it was invoked, when and how it
// ended (ok / fail / unknown), and the reads the clients made on the way. Services are the
// registers: a key is a service name, its value the label FAULT_VALUE_LABEL.
//
// How answers map to outcomes (an outcome claims only what the answer proves):
// - 2xx: ok, the write took effect once.
// - no connection made (socket missing, refused): fail, the request never reached a daemon.
// - 4xx: fail, refused before it took effect (a stale ?version= is refused when the entry is
//   applied, so it never takes effect either); a 409 name conflict on a create is instead an
//   observation that the name existed (a cas from "absent" that failed).
// - 5xx, a timeout or a cut connection: unknown; it may take effect at any later time, or never
//   (a proposal that timed out can still commit).

import type { HistoryOp } from '../../manager/raft/test/support/linearizability.js';

/** The label whose value a service carries as its register value. */
export const FAULT_VALUE_LABEL = 'shoal.fault.value';

export type WriteOutcome = 'ok' | 'fail' | 'unknown';

export interface WriteRecord {
  readonly client: number;
  /** The host whose API the client called. */
  readonly via: string;
  readonly kind: 'create' | 'update';
  readonly key: string;
  /** For an update: the value read together with the version it was sent with. */
  readonly expect: string | undefined;
  readonly value: string;
  readonly invoke: number;
  complete: number | undefined;
  outcome: WriteOutcome | 'pending';
  /** A create answered 409 (name taken): the key was observed present. */
  observedPresent: boolean;
  /** The status and message, or why there was none. */
  detail: string;
}

/** A read of one service's value, from a manager's local store (may be stale by design). */
export interface ReadRecord {
  readonly client: number;
  readonly via: string;
  readonly key: string;
  readonly value: string | undefined;
  readonly invoke: number;
  readonly complete: number;
}

/** What one manager's store held after healing, read through its own API. */
export interface FinalRead {
  readonly via: string;
  readonly invoke: number;
  readonly complete: number;
  /** Every service in the listing: its name and value (a name may appear twice: a duplicate). */
  readonly services: readonly { readonly name: string; readonly value: string | undefined }[];
}

export class HistoryRecorder {
  readonly writes: WriteRecord[] = [];
  readonly reads: ReadRecord[] = [];
  private readonly now: () => number;

  constructor(now: () => number) {
    this.now = now;
  }

  time(): number {
    return this.now();
  }

  invoke(
    w: Omit<WriteRecord, 'invoke' | 'complete' | 'outcome' | 'observedPresent' | 'detail'>,
  ): WriteRecord {
    const rec: WriteRecord = {
      ...w,
      invoke: this.now(),
      complete: undefined,
      outcome: 'pending',
      observedPresent: false,
      detail: '',
    };
    this.writes.push(rec);
    return rec;
  }

  finish(rec: WriteRecord, outcome: WriteOutcome, detail: string, observedPresent = false): void {
    rec.complete = this.now();
    rec.outcome = outcome;
    rec.detail = detail;
    rec.observedPresent = observedPresent;
  }

  read(r: ReadRecord): void {
    this.reads.push(r);
  }

  /** Every key a client wrote or tried to write. */
  keys(): Set<string> {
    return new Set(this.writes.map((w) => w.key));
  }
}

/**
 * The history in the linearizability checker's terms: each write is a compare-and-set (a
 * create sets from "absent", an update from the value its version carried, which is exact since
 * a version names one state of the object), each final read a get of every key on that manager.
 */
export function checkerHistory(
  writes: readonly WriteRecord[],
  finals: readonly FinalRead[],
  clientOfFinal: (i: number) => number,
): HistoryOp[] {
  const out: HistoryOp[] = [];
  for (const w of writes) {
    const op = { kind: 'cas' as const, key: w.key, expect: w.expect, value: w.value };
    if (w.outcome === 'ok') {
      out.push({
        client: w.client,
        op,
        invoke: w.invoke,
        complete: w.complete,
        result: { kind: 'cas', ok: !w.observedPresent },
        outcome: 'ok',
      });
    } else if (w.outcome === 'fail') {
      out.push({
        client: w.client,
        op,
        invoke: w.invoke,
        complete: w.complete,
        result: undefined,
        outcome: 'fail',
      });
    } else {
      // 'unknown', and 'pending' (never answered) is unknown too.
      out.push({
        client: w.client,
        op,
        invoke: w.invoke,
        complete: undefined,
        result: undefined,
        outcome: 'unknown',
      });
    }
  }
  const keys = new Set(writes.map((w) => w.key));
  finals.forEach((f, i) => {
    const seen = new Map<string, string | undefined>();
    for (const s of f.services) if (!seen.has(s.name)) seen.set(s.name, s.value);
    for (const key of keys) {
      out.push({
        client: clientOfFinal(i),
        op: { kind: 'get', key },
        invoke: f.invoke,
        complete: f.complete,
        result: { kind: 'get', value: seen.get(key) },
        outcome: 'ok',
      });
    }
  });
  return out;
}
