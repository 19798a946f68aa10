// Nodes: the limits of a node spec and swarmkit's UpdateNode rules (a manager cannot demote the
// last manager). Pure: (readTx, request) → writes or a refusal.

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
