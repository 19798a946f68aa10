// When the service lists platforms (from the image manifest), the node must be one of them.
// x86_64 and amd64, aarch64 and arm64 are the same architecture.

import type { Platform } from '../../../api/objects/index.js';
import { nodesPhrase, type Filter } from '../filter.js';

function normalArch(arch: string): string {
  const a = arch.toLowerCase();
  if (a === 'x86_64') return 'amd64';
  if (a === 'aarch64') return 'arm64';
  return a;
}

export function platformMatches(wanted: Platform, node: Platform): boolean {
  const arch =
    wanted.architecture === '' || normalArch(wanted.architecture) === normalArch(node.architecture);
  const os = wanted.os === '' || wanted.os.toLowerCase() === node.os.toLowerCase();
  return arch && os;
}

export const platformFilter: Filter = {
  name: 'platform',
  enabled: (req) => req.platforms.length > 0,
  check: (req, node) => {
    const platform = node.node.description?.platform;
    return platform !== undefined && req.platforms.some((p) => platformMatches(p, platform));
  },
  explain: (nodes) => `unsupported platform on ${nodesPhrase(nodes)}`,
};
