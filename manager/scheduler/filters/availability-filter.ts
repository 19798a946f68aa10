// Only nodes with availability 'active' take new tasks ('pause' keeps its tasks, 'drain' loses them).

import { nodesPhrase, type Filter } from '../filter.js';

export const availabilityFilter: Filter = {
  name: 'availability',
  enabled: () => true,
  check: (_req, node) => node.node.spec.availability === 'active',
  explain: (nodes) => `${nodesPhrase(nodes)} not available for new tasks`,
};
