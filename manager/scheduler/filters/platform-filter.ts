// When the service lists platforms (from the image manifest), the node must be one of them.

import { platformMatches } from '../../constraint/platform.js';
import { nodesPhrase, type Filter } from '../filter.js';

export const platformFilter: Filter = {
  name: 'platform',
  enabled: (req) => req.platforms.length > 0,
  check: (req, node) => {
    const platform = node.node.description?.platform;
    return platform !== undefined && req.platforms.some((p) => platformMatches(p, platform));
  },
  explain: (nodes) => `unsupported platform on ${nodesPhrase(nodes)}`,
};
