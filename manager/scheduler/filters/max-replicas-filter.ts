// `--replicas-max-per-node`: at most that many tasks of the service on one node.

import type { Filter } from '../filter.js';

export const maxReplicasFilter: Filter = {
  name: 'max-replicas',
  enabled: (req) => req.maxReplicas > 0,
  check: (req, node) => node.serviceTasks(req.serviceId) < req.maxReplicas,
  explain: () => 'max replicas per node limit exceed',
};
