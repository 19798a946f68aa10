// The key-value state machine the simulator runs on Raft. Commands carry (client, seq) so a
// command appended twice (a duplicated forwarded proposal) takes effect once, as a real
// application deduplicates by request ID.

import type { KvOp, KvResult } from '../support/linearizability.js';

export interface KvCommand {
  readonly client: number;
  readonly seq: number;
  readonly op: KvOp;
}

const enc = new TextEncoder();
const dec = new TextDecoder();

export function encodeCommand(c: KvCommand): Uint8Array {
  return enc.encode(JSON.stringify(c));
}

export function decodeCommand(b: Uint8Array): KvCommand {
  return JSON.parse(dec.decode(b)) as KvCommand;
}

export class KvStateMachine {
  data = new Map<string, string>();
  /** Last applied seq and its result, per client. */
  sessions = new Map<number, { seq: number; result: KvResult }>();

  apply(c: KvCommand): KvResult {
    const s = this.sessions.get(c.client);
    if (s && s.seq >= c.seq) return s.result;
    const result = this.exec(c.op);
    this.sessions.set(c.client, { seq: c.seq, result });
    return result;
  }

  private exec(op: KvOp): KvResult {
    switch (op.kind) {
      case 'get':
        return { kind: 'get', value: this.data.get(op.key) };
      case 'put':
        this.data.set(op.key, op.value);
        return { kind: 'put' };
      case 'cas': {
        const ok = this.data.get(op.key) === op.expect;
        if (ok) this.data.set(op.key, op.value);
        return { kind: 'cas', ok };
      }
    }
  }

  read(key: string): string | undefined {
    return this.data.get(key);
  }

  serialize(): Uint8Array {
    return enc.encode(JSON.stringify({ data: [...this.data], sessions: [...this.sessions] }));
  }

  static deserialize(b: Uint8Array): KvStateMachine {
    const kv = new KvStateMachine();
    if (b.byteLength === 0) return kv;
    const o = JSON.parse(dec.decode(b)) as {
      data: [string, string][];
      sessions: [number, { seq: number; result: KvResult }][];
    };
    kv.data = new Map(o.data);
    kv.sessions = new Map(o.sessions);
    return kv;
  }
}
