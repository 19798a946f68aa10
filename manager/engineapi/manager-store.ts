// The store behind manager-only routes, refused with Docker's 503 messages on a node that is
// not an active manager.

import type { MemoryStore } from '../store/index.js';
import { SwarmLockedError } from './control-errors.js';
import { NotInSwarmError, NotManagerError } from './control-errors.js';
import type { SwarmControl } from './swarm-control.js';

export function managerStore(control: SwarmControl): MemoryStore {
  const state = control.localNodeState();
  if (state === 'locked') throw new SwarmLockedError();
  if (state !== 'active') throw new NotInSwarmError();
  if (!control.isManager()) throw new NotManagerError();
  return control.store();
}
