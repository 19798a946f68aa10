// Whether a node's platform is one a service asks for (the platforms listed in its image
// manifest). The scheduler's platform filter and the global orchestrator's node fit both ask.
// x86_64 and amd64, aarch64 and arm64 are the same architecture.

import type { Platform } from '../../api/objects/index.js';

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
