// An AssignmentsMessage from the dispatcher as the worker gets it: every object decoded and
// checked with the store's own shape rules, and every task checked to be this node's.
// Throws MalformedMessageError; the session treats that as a broken session and resyncs.

import type { AssignmentChange } from '../assignments.js';
import { MalformedMessageError } from '../../manager/dispatcher/errors.js';
import {
  checkTaskId,
  decodeConfig,
  decodeSecret,
  decodeTask,
} from '../../manager/dispatcher/wire/json-codec.js';
import { AssignmentsType, type PbAssignmentsMessage } from '../../manager/dispatcher/wire/service.js';
import type { NodeNetworkView } from '../network/network-view.js';
import { applyViewUpdate, NetworkViewUpdateError } from '../network/network-view-update.js';
import { decodeNetworkView, decodeNetworkViewUpdate } from './network-view-decoder.js';

/**
 * `held` is the network view this stream carried last: an update applies to it. The change's
 * `networks` is the whole view again, so the worker never sees an update.
 */
export function decodeAssignments(
  m: PbAssignmentsMessage,
  nodeId: string,
  held?: NodeNetworkView,
): AssignmentChange {
  if (m.type !== AssignmentsType.COMPLETE && m.type !== AssignmentsType.INCREMENTAL) {
    throw new MalformedMessageError(`unknown assignments type ${String(m.type)}`);
  }
  const updated = m.updatedTasks.map((b) => {
    const task = decodeTask(b);
    if (task.nodeId !== nodeId)
      throw new MalformedMessageError(`task ${task.id} is assigned to another node`);
    return task;
  });
  const networks = networksOf(m, nodeId, held);
  return {
    full: m.type === AssignmentsType.COMPLETE,
    updated,
    removed: m.removedTasks.map((id, i) => checkTaskId(id, `removed_tasks[${i}]`)),
    secrets: m.secrets.map(decodeSecret),
    configs: m.configs.map(decodeConfig),
    ...(networks === undefined ? {} : { networks }),
  };
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
