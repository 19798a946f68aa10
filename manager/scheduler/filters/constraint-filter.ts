// Placement constraints (node.id, node.hostname, node.role, node.labels.*, engine.labels.*,
// node.platform.*) must all hold on the node.

import { matchesConstraints } from '../../constraint/constraint.js';
import { nodesPhrase, type Filter } from '../filter.js';

export const constraintFilter: Filter = {
  name: 'constraints',
  enabled: (req) => !Array.isArray(req.constraints) || req.constraints.length > 0,
  check: (req, node) => Array.isArray(req.constraints) && matchesConstraints(node.node, req.constraints),
  explain: (nodes) => `scheduling constraints not satisfied on ${nodesPhrase(nodes)}`,
};
