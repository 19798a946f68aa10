// An AssignmentsMessage from the dispatcher as the worker gets it: every object decoded and
// checked with the store's own shape rules, and every task checked to be this node's.
//
// One bad entry does not spoil the others: a task that cannot be read is left out (and taken
// off the node, in case it held an earlier copy) and reported back as rejected with the
// reason, so `docker service ps` shows it; a secret, config or removed ID that cannot be read is
// left out; a network view that cannot be read or applied is left out and the view the stream
// held is forgotten (the session then asks for a fresh one). Only a message that is wrong as a
// whole (unknown type, more entries than an agent accepts) throws MalformedMessageError.

import type { AssignmentChange, TaskStatusReport } from '../../api/wire/assignments.js';
import { MalformedMessageError } from '../../api/wire/errors.js';
import { checkTaskId, decodeConfig, decodeSecret, decodeTask } from '../../api/wire/json-codec.js';
import { MAX_MESSAGE_ENTRIES, MAX_OBJECT_BYTES } from '../../api/wire/limits.js';
import { AssignmentsType, type PbAssignmentsMessage } from '../../api/wire/service.js';
import { isRecord, isValidId } from '../../api/objects/shape.js';
import type { Config, Secret, Task } from '../../api/objects/index.js';
import type { NodeNetworkView } from '../../api/network/network-view.js';
import { applyViewUpdate, NetworkViewUpdateError } from '../../api/network/network-view-update.js';
import { decodeNetworkView, decodeNetworkViewUpdate } from './network-view-decoder.js';

/** The status message of a task its node could not read. */
export const UNREADABLE_MESSAGE = 'cannot be read by its node';
/** Longest error kept in a rejection report. */
const MAX_REASON = 2048;

export interface DecodedAssignments {
  /** What could be read. `networks` is the whole view again, so the worker never sees an update. */
  readonly change: AssignmentChange;
  /** The change goes on in the next message. */
  readonly more: boolean;
  /** Tasks that could not be read, as the rejections to report. */
  readonly rejected: TaskStatusReport[];
  /** Each entry left out, and why (for the log). */
  readonly problems: string[];
  /** A network view came but could not be read or applied: the held view is no longer known. */
  readonly viewFailed: boolean;
}

/**
 * `held` is the network view this stream carried last: an update applies to it. `now` stamps
 * the rejections.
 */
export function decodeAssignments(
  m: PbAssignmentsMessage,
  nodeId: string,
  held?: NodeNetworkView,
  now: () => Date = () => new Date(),
): DecodedAssignments {
  if (m.type !== AssignmentsType.COMPLETE && m.type !== AssignmentsType.INCREMENTAL) {
    throw new MalformedMessageError(`unknown assignments type ${String(m.type)}`);
  }
  const entries = m.updatedTasks.length + m.removedTasks.length + m.secrets.length + m.configs.length;
  if (entries > MAX_MESSAGE_ENTRIES) {
    throw new MalformedMessageError(
      `assignments message has ${entries} entries, more than the limit of ${MAX_MESSAGE_ENTRIES}`,
    );
  }
  const problems: string[] = [];
  const rejected: TaskStatusReport[] = [];
  const removed = new Set<string>();
  const updated: Task[] = [];
  m.updatedTasks.forEach((b, i) => {
    let task: Task;
    try {
      task = decodeTask(b);
    } catch (e: unknown) {
      const reason = reasonOf(e);
      const id = taskIdOf(b, nodeId);
      problems.push(`updated_tasks[${i}]${id === undefined ? '' : ` (task ${id})`}: ${reason}`);
      if (id === undefined) return;
      removed.add(id);
      rejected.push({ taskId: id, status: rejection(reason, now()) });
      return;
    }
    if (task.nodeId !== nodeId) {
      problems.push(`updated_tasks[${i}]: task ${task.id} is assigned to another node`);
      return;
    }
    updated.push(task);
  });
  m.removedTasks.forEach((id, i) => {
    try {
      removed.add(checkTaskId(id, `removed_tasks[${i}]`));
    } catch (e: unknown) {
      problems.push(reasonOf(e));
    }
  });
  const secrets = readAll(m.secrets, decodeSecret, 'secrets', problems);
  const configs = readAll(m.configs, decodeConfig, 'configs', problems);
  let networks: NodeNetworkView | undefined;
  let viewFailed = false;
  try {
    networks = networksOf(m, nodeId, held);
  } catch (e: unknown) {
    if (!(e instanceof MalformedMessageError)) throw e;
    problems.push(e.reason);
    viewFailed = true;
  }
  const rejectedIds = new Set(rejected.map((r) => r.taskId));
  return {
    change: {
      full: m.type === AssignmentsType.COMPLETE,
      updated: updated.filter((t) => !rejectedIds.has(t.id)),
      removed: [...removed],
      secrets,
      configs,
      ...(networks === undefined ? {} : { networks }),
    },
    more: m.more,
    rejected,
    problems,
    viewFailed,
  };
}

function readAll<T extends Secret | Config>(
  list: readonly Uint8Array[],
  decode: (b: Uint8Array) => T,
  field: string,
  problems: string[],
): T[] {
  const out: T[] = [];
  list.forEach((b, i) => {
    try {
      out.push(decode(b));
    } catch (e: unknown) {
      problems.push(`${field}[${i}]: ${reasonOf(e)}`);
    }
  });
  return out;
}

function reasonOf(e: unknown): string {
  if (e instanceof MalformedMessageError) return e.reason;
  return e instanceof Error ? e.message : String(e);
}

function rejection(reason: string, at: Date) {
  const err = `the node could not read the task: ${reason}`;
  return {
    timestamp: at.toISOString(),
    state: 'rejected' as const,
    message: UNREADABLE_MESSAGE,
    err: err.length > MAX_REASON ? `${err.slice(0, MAX_REASON - 1)}…` : err,
  };
}

/** Bytes read to find the ID of a task too large to parse. */
const ID_PREFIX_BYTES = 512;
const LEADING_ID = /^\s*\{\s*"id"\s*:\s*"([A-Za-z0-9][A-Za-z0-9_.-]{0,127})"/;

/**
 * The ID of a task entry that did not decode, when it can be told (to report the task): from
 * the JSON when it parses and is not another node's, else from a leading `"id"` field.
 */
export function taskIdOf(bytes: Uint8Array, nodeId: string): string | undefined {
  if (bytes.byteLength <= MAX_OBJECT_BYTES) {
    let v: unknown;
    try {
      v = JSON.parse(new TextDecoder().decode(bytes));
    } catch {
      v = undefined;
    }
    if (isRecord(v)) {
      if (v['nodeId'] !== undefined && v['nodeId'] !== nodeId) return undefined;
      return isValidId(v['id']) ? v['id'] : undefined;
    }
  }
  const head = new TextDecoder().decode(bytes.subarray(0, ID_PREFIX_BYTES));
  return LEADING_ID.exec(head)?.[1];
}

function networksOf(
  m: PbAssignmentsMessage,
  nodeId: string,
  held: NodeNetworkView | undefined,
): NodeNetworkView | undefined {
  if (m.networkView.byteLength > 0) {
    if (m.networkViewUpdate.byteLength > 0)
      throw new MalformedMessageError('a network view and an update of it in one message');
    return decodeNetworkView(m.networkView, nodeId);
  }
  if (m.networkViewUpdate.byteLength === 0) return undefined;
  const update = decodeNetworkViewUpdate(m.networkViewUpdate, nodeId);
  try {
    return applyViewUpdate(held, update);
  } catch (e: unknown) {
    if (e instanceof NetworkViewUpdateError) throw new MalformedMessageError(e.message);
    throw e;
  }
}
