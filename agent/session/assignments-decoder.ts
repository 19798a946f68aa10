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
import { decodeNetworkView } from './network-view-decoder.js';

export function decodeAssignments(m: PbAssignmentsMessage, nodeId: string): AssignmentChange {
  if (m.type !== AssignmentsType.COMPLETE && m.type !== AssignmentsType.INCREMENTAL) {
    throw new MalformedMessageError(`unknown assignments type ${String(m.type)}`);
  }
  const updated = m.updatedTasks.map((b) => {
    const task = decodeTask(b);
    if (task.nodeId !== nodeId)
      throw new MalformedMessageError(`task ${task.id} is assigned to another node`);
    return task;
  });
  return {
    full: m.type === AssignmentsType.COMPLETE,
    updated,
    removed: m.removedTasks.map((id, i) => checkTaskId(id, `removed_tasks[${i}]`)),
    secrets: m.secrets.map(decodeSecret),
    configs: m.configs.map(decodeConfig),
    ...(m.networkView.byteLength > 0 ? { networks: decodeNetworkView(m.networkView, nodeId) } : {}),
  };
}
