// A change that the dispatcher sent in several messages (each but the last marked `more`),
// put back together so the worker applies it as one: a complete set split over messages must
// not look like several complete sets. Bounded: a change of more messages or entries than an
// agent accepts is refused as a whole.

import type { AssignmentChange } from '../../api/wire/assignments.js';
import { MalformedMessageError } from '../../api/wire/errors.js';
import { MAX_CHANGE_BYTES, MAX_CHANGE_ENTRIES, MAX_CHANGE_PARTS } from '../../api/wire/limits.js';
import type { Config, Secret, Task } from '../../api/objects/index.js';
import type { NodeNetworkView } from '../../api/network/network-view.js';

export interface ChangeLimits {
  readonly maxParts: number;
  readonly maxEntries: number;
  /** Bytes of the messages' objects, as received. */
  readonly maxBytes: number;
}

const DEFAULT_LIMITS: ChangeLimits = {
  maxParts: MAX_CHANGE_PARTS,
  maxEntries: MAX_CHANGE_ENTRIES,
  maxBytes: MAX_CHANGE_BYTES,
};

interface Pending {
  full: boolean;
  parts: number;
  entries: number;
  bytes: number;
  updated: Task[];
  removed: string[];
  secrets: Secret[];
  configs: Config[];
  networks: NodeNetworkView | undefined;
}

export class ChangeAssembler {
  readonly #limits: ChangeLimits;
  #pending: Pending | undefined;

  constructor(limits: ChangeLimits = DEFAULT_LIMITS) {
    this.#limits = limits;
  }

  /** Whether a change is half received. */
  get open(): boolean {
    return this.#pending !== undefined;
  }

  /**
   * Adds one message's change; returns the whole change once its last message (`more` false)
   * is in, else undefined. `bytes` is the size of the part's objects as received. Throws MalformedMessageError when the parts disagree or exceed the
   * limits (the half-received change is then dropped).
   */
  add(part: AssignmentChange, more: boolean, bytes = 0): AssignmentChange | undefined {
    if (this.#pending === undefined && !more) return part;
    const p: Pending = this.#pending ?? {
      full: part.full,
      parts: 0,
      entries: 0,
      bytes: 0,
      updated: [],
      removed: [],
      secrets: [],
      configs: [],
      networks: undefined,
    };
    this.#pending = undefined;
    if (p.full !== part.full) throw new MalformedMessageError('the parts of one change have different types');
    p.parts++;
    p.entries += part.updated.length + part.removed.length + part.secrets.length + part.configs.length;
    p.bytes += bytes;
    const l = this.#limits;
    if (p.parts > l.maxParts || p.entries > l.maxEntries || p.bytes > l.maxBytes) {
      throw new MalformedMessageError(
        `a change of more than ${l.maxParts} messages, ${l.maxEntries} entries or ${l.maxBytes} bytes`,
      );
    }
    for (const t of part.updated) p.updated.push(t);
    for (const id of part.removed) p.removed.push(id);
    for (const s of part.secrets) p.secrets.push(s);
    for (const c of part.configs) p.configs.push(c);
    p.networks = part.networks ?? p.networks;
    if (more) {
      this.#pending = p;
      return undefined;
    }
    return {
      full: p.full,
      updated: p.updated,
      removed: p.removed,
      secrets: p.secrets,
      configs: p.configs,
      ...(p.networks === undefined ? {} : { networks: p.networks }),
    };
  }
}
