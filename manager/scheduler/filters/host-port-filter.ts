// A host-mode published port can be bound by one task per node.

import { nodesPhrase, type Filter } from '../filter.js';

export const hostPortFilter: Filter = {
  name: 'host-ports',
  enabled: (req) => req.hostPorts.length > 0,
  check: (req, node) => !req.hostPorts.some((p) => node.portInUse(p)),
  explain: (nodes) => `host-mode port already in use on ${nodesPhrase(nodes)}`,
};
