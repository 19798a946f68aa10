// CPU and memory reservations must fit in what the node has minus what its tasks reserve.

import { nodesPhrase, type Filter } from '../filter.js';

export const resourceFilter: Filter = {
  name: 'resources',
  enabled: (req) => req.nanoCPUs > 0 || req.memoryBytes > 0,
  check: (req, node) => node.availableCPUs >= req.nanoCPUs && node.availableMemory >= req.memoryBytes,
  explain: (nodes) => `insufficient resources on ${nodesPhrase(nodes)}`,
};
