// Only nodes whose agent is connected and reported ready take new tasks.

import { nodesPhrase, type Filter } from '../filter.js';

export const readyFilter: Filter = {
  name: 'ready',
  enabled: () => true,
  check: (_req, node) => node.node.status.state === 'ready',
  explain: (nodes) => `${nodesPhrase(nodes)} not available for new tasks`,
};
