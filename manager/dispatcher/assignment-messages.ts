// An assignment batch as the messages that carry it to a node. Every task, secret and config is
// encoded and its size checked; one that the node could not take (larger than a node accepts,
// or failing to encode) is left out and returned as refused, with a reason a
// user can act on, and so is a task whose secret or config was left out. What remains is
// packed into messages within the agent's limits: a set too large for one message travels in
// several, each but the last marked `more`, and the agent applies them as one change.

import type { Config, Secret, Task } from '../../api/objects/index.js';
import { needsDependencies, type AssignmentBatch } from './assignment-set.js';
import { encodeObject, type EncodedObject } from '../../api/wire/json-codec.js';
import {
  humanBytes,
  MAX_MESSAGE_ENTRIES,
  MAX_MESSAGE_OBJECT_BYTES,
  MAX_OBJECT_BYTES,
  MAX_VIEW_BYTES,
} from '../../api/wire/limits.js';
import { AssignmentsType, newAssignmentsMessage, type PbAssignmentsMessage } from '../../api/wire/service.js';

/** An object left out of a node's messages, and why (worded for `docker service ps`). */
export type RefusedObject =
  | { readonly kind: 'task'; readonly task: Task; readonly reason: string }
  | {
      readonly kind: 'secret' | 'config';
      readonly id: string;
      readonly version: number;
      readonly reason: string;
    };

/** The network view part of the first message. */
export type ViewPart = { networkView: Uint8Array } | { networkViewUpdate: Uint8Array };

export interface MessageLimits {
  /** Bytes of objects (and removed IDs) per message. */
  readonly maxObjectBytes: number;
  /** Entries per message. */
  readonly maxEntries: number;
  /** Bytes of a network view (or update). */
  readonly maxViewBytes: number;
}

export const DEFAULT_MESSAGE_LIMITS: MessageLimits = {
  maxObjectBytes: MAX_MESSAGE_OBJECT_BYTES,
  maxEntries: MAX_MESSAGE_ENTRIES,
  maxViewBytes: MAX_VIEW_BYTES,
};

export interface AssignmentMessages {
  readonly messages: PbAssignmentsMessage[];
  readonly refused: RefusedObject[];
}

/** Protobuf framing of one repeated entry (tag and length), bounded above. */
const ENTRY_OVERHEAD = 8;

function why(what: string, e: EncodedObject & { ok: false }, fix: string): string {
  if (e.tooLarge) {
    return (
      `${what} is ${humanBytes(e.bytes)}, more than the ${humanBytes(MAX_OBJECT_BYTES)} a node can ` +
      `receive: ${fix}`
    );
  }
  return `${what} cannot be sent to its node: ${e.problem}`;
}

function dependencyName(d: Secret | Config): string {
  return `${JSON.stringify(d.spec.name)} (${d.id})`;
}

type Entry =
  | {
      readonly field: 'updatedTasks' | 'secrets' | 'configs';
      readonly value: Uint8Array;
      readonly size: number;
    }
  | { readonly field: 'removedTasks'; readonly value: string; readonly size: number };

export function assignmentMessages(
  batch: AssignmentBatch,
  view: ViewPart | undefined,
  limits: MessageLimits = DEFAULT_MESSAGE_LIMITS,
): AssignmentMessages {
  const refused: RefusedObject[] = [];
  const entries: Entry[] = [];
  const badDependencies = new Map<string, string>();
  const dependency = (kind: 'secret' | 'config', d: Secret | Config): void => {
    const e = encodeObject(d);
    if (e.ok) {
      entries.push({
        field: kind === 'secret' ? 'secrets' : 'configs',
        value: e.bytes,
        size: e.bytes.byteLength,
      });
      return;
    }
    const reason = why(`${kind} ${dependencyName(d)}`, e, `make the ${kind} smaller`);
    badDependencies.set(`${kind}:${d.id}`, reason);
    refused.push({ kind, id: d.id, version: d.meta.version, reason });
  };
  for (const s of batch.secrets) dependency('secret', s);
  for (const c of batch.configs) dependency('config', c);

  const removed = new Set(batch.removed);
  for (const task of batch.updated) {
    const missing = badDependencies.size > 0 ? missingDependency(task, badDependencies) : undefined;
    if (missing !== undefined) {
      refused.push({ kind: 'task', task, reason: missing });
      if (!batch.full) removed.add(task.id);
      continue;
    }
    const e = encodeObject(task);
    if (e.ok) {
      entries.push({ field: 'updatedTasks', value: e.bytes, size: e.bytes.byteLength });
      continue;
    }
    const reason = why('task', e, "shrink the service's spec (labels, environment, command, mounts)");
    refused.push({ kind: 'task', task, reason });
    // The node may hold an earlier copy: it must stop it, as the task is no longer wanted there.
    if (!batch.full) removed.add(task.id);
  }
  for (const id of removed) entries.push({ field: 'removedTasks', value: id, size: id.length });

  return { messages: pack(batch, view, entries, limits), refused };
}

function missingDependency(task: Task, bad: ReadonlyMap<string, string>): string | undefined {
  if (!needsDependencies(task)) return undefined;
  const { secrets, configs } = task.spec.containerSpec;
  for (const r of secrets) {
    const reason = bad.get(`secret:${r.secretId}`);
    if (reason !== undefined) return reason;
  }
  for (const r of configs) {
    const reason = bad.get(`config:${r.configId}`);
    if (reason !== undefined) return reason;
  }
  return undefined;
}

function pack(
  batch: AssignmentBatch,
  view: ViewPart | undefined,
  entries: readonly Entry[],
  limits: MessageLimits,
): PbAssignmentsMessage[] {
  const type = batch.full ? AssignmentsType.COMPLETE : AssignmentsType.INCREMENTAL;
  type Fields = {
    updatedTasks: Uint8Array[];
    removedTasks: string[];
    secrets: Uint8Array[];
    configs: Uint8Array[];
  };
  const parts: Fields[] = [];
  let current: Fields = { updatedTasks: [], removedTasks: [], secrets: [], configs: [] };
  let bytes = 0;
  let count = 0;
  for (const e of entries) {
    const size = e.size + ENTRY_OVERHEAD;
    if (count > 0 && (bytes + size > limits.maxObjectBytes || count >= limits.maxEntries)) {
      parts.push(current);
      current = { updatedTasks: [], removedTasks: [], secrets: [], configs: [] };
      bytes = 0;
      count = 0;
    }
    if (e.field === 'removedTasks') current.removedTasks.push(e.value);
    else current[e.field].push(e.value);
    bytes += size;
    count++;
  }
  parts.push(current);
  return parts.map((fields, i) =>
    newAssignmentsMessage({
      type,
      ...fields,
      index: batch.index,
      ...(i === 0 ? view : undefined),
      more: i < parts.length - 1,
    }),
  );
}
