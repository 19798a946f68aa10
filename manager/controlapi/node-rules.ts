// Nodes: the limits of a node spec, swarmkit's UpdateNode rules (a manager cannot demote the
// last manager) and its RemoveNode rules (demote first, force a live node). Pure: (readTx,
// request) → writes or a refusal.

import { NODE_AVAILABILITIES, NODE_ROLES, type NodeSpec, type ReadTx } from '../store/index.js';
import { decide, type Decision } from './decision.js';
import { checkMap, checkSerializedSize, checkString } from './field-checks.js';
import { LABEL_LIMITS, MAX_OBJECT_SPEC_BYTES, MAX_SHORT_STRING_BYTES } from './limits.js';
import { failedPrecondition, invalidArgument, notFound } from './refusal.js';

/** Every field of a node spec within its limits. */
export function checkNodeSpec(spec: NodeSpec): void {
  checkSerializedSize('node spec', spec, MAX_OBJECT_SPEC_BYTES);
  if (spec.name !== undefined) checkString('Name', spec.name, MAX_SHORT_STRING_BYTES);
  checkMap('Labels', spec.labels, LABEL_LIMITS);
  if (!NODE_ROLES.includes(spec.role)) throw invalidArgument(`invalid Role: ${JSON.stringify(spec.role)}`);
  if (!NODE_AVAILABILITIES.includes(spec.availability)) {
    throw invalidArgument(`invalid Availability: ${JSON.stringify(spec.availability)}`);
  }
}

export interface UpdateNodeRequest {
  readonly nodeId: string;
  /** The client's ?version= (the store refuses a stale one). */
  readonly version: number;
  readonly spec: NodeSpec;
}

export function updateNode(tx: ReadTx, req: UpdateNodeRequest): Decision {
  return decide(() => {
    checkNodeSpec(req.spec);
    const node = tx.get('nodes', req.nodeId);
    if (node === undefined) throw notFound(`node ${req.nodeId} not found`);
    if (req.spec.role === 'worker' && node.spec.role === 'manager') {
      const managers = tx.list('nodes').filter((n) => n.spec.role === 'manager').length;
      if (managers <= 1) throw failedPrecondition('attempting to demote the last manager of the swarm');
    }
    return [
      {
        op: 'update',
        table: 'nodes',
        object: { ...node, spec: req.spec, meta: { ...node.meta, version: req.version } },
      },
    ];
  });
}

export interface RemoveNodeRequest {
  readonly nodeId: string;
  /** `docker node rm --force`: remove a node that is not down. */
  readonly force: boolean;
}

/**
 * swarmkit's RemoveNode: a manager must be demoted first (it is a member of the Raft group),
 * and a live node goes only with force. Deleting the node records it as removed on the cluster
 * (applyDecision), so its certificate is refused from then on.
 */
export function removeNode(tx: ReadTx, req: RemoveNodeRequest): Decision {
  return decide(() => {
    const node = tx.get('nodes', req.nodeId);
    if (node === undefined) throw notFound(`node ${req.nodeId} not found`);
    if (node.role === 'manager' || node.managerStatus !== undefined) {
      throw failedPrecondition(
        `node ${node.id} is a cluster manager and is a member of the raft cluster. It must be demoted to worker before removal`,
      );
    }
    if (!req.force && node.status.state !== 'down') {
      throw failedPrecondition(`node ${node.id} is not down and can't be removed`);
    }
    return [{ op: 'delete', table: 'nodes', id: node.id }];
  });
}
