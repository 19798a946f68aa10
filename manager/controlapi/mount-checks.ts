// The rules of a service's mounts that Docker's engine applies when it creates the task's
// container. Under Docker a service breaking them is accepted and every task then fails to
// start, forever; shoal refuses the service instead, with the engine's words (dockerd's own,
// not swarmkit's: 400 without the gRPC wrapping). Sizes are bounded before (service-limits.ts).

import type { Mount } from '../store/index.js';
import { badRequest } from './refusal.js';
import * as L from './limits.js';

/** The engine's wording for a mount it refuses: `invalid mount config for type "bind": …`. */
function mountConfig(m: Mount, why: string): never {
  throw badRequest(`invalid mount config for type ${JSON.stringify(m.type)}: ${why}`);
}

/**
 * Go's filepath.IsLocal on Linux: not empty, not absolute, and not leaving its root through
 * "..", once "." and ".." are resolved lexically ("a/../b" stays inside, "a/../../b" does not).
 */
export function isLocalPath(p: string): boolean {
  if (p === '' || p.startsWith('/')) return false;
  let depth = 0;
  for (const part of p.split('/')) {
    if (part === '..') {
      if (depth === 0) return false;
      depth--;
    } else if (part !== '' && part !== '.') depth++;
  }
  return true;
}

/** Options of one kind of mount given on another (the engine's validateExclusiveOptions). */
function checkExclusive(m: Mount): void {
  if (m.type !== 'bind' && m.bindOptions !== undefined)
    mountConfig(m, 'field BindOptions must not be specified');
  if (m.type !== 'volume' && m.volumeOptions !== undefined) {
    mountConfig(m, 'field VolumeOptions must not be specified');
  }
  if (m.type !== 'tmpfs' && m.tmpfsOptions !== undefined) {
    mountConfig(m, 'field TmpfsOptions must not be specified');
  }
}

/** ReadOnlyNonRecursive and ReadOnlyForceRecursive refine ReadOnly, and exclude each other. */
function checkReadOnlyFlags(m: Mount): void {
  const b = m.bindOptions;
  if (b === undefined) return;
  if (!m.readOnly && b.readOnlyNonRecursive === true) {
    throw badRequest('mount options conflict: !ReadOnly && BindOptions.ReadOnlyNonRecursive');
  }
  if (!m.readOnly && b.readOnlyForceRecursive === true) {
    throw badRequest('mount options conflict: !ReadOnly && BindOptions.ReadOnlyForceRecursive');
  }
  if (b.readOnlyNonRecursive === true && b.readOnlyForceRecursive === true) {
    throw badRequest('mount options conflict: ReadOnlyNonRecursive && BindOptions.ReadOnlyForceRecursive');
  }
}

/** Each tmpfs option is [flag] or [flag, value], of the flags the engine passes on. */
function checkTmpfsOptions(m: Mount): void {
  for (const option of m.tmpfsOptions?.options ?? []) {
    if (option.length < 1 || option.length > 2) mountConfig(m, 'invalid option array length');
    if (!L.TMPFS_OPTION_NAMES.includes(option[0]!)) mountConfig(m, `invalid option: ${option[0]}`);
  }
}

/** One mount of a service's container spec, as the engine would take it. */
export function checkMountRules(m: Mount): void {
  checkExclusive(m);
  checkReadOnlyFlags(m);
  const subpath = m.volumeOptions?.subpath;
  if (subpath !== undefined) {
    if (m.source === undefined || m.source === '') {
      mountConfig(m, 'must not set Subpath when using anonymous volumes');
    }
    if (!isLocalPath(subpath)) mountConfig(m, 'subpath must be a relative path within the volume');
  }
  checkTmpfsOptions(m);
}
