// Public API of the dispatcher (manager side of the manager ↔ agent link).

export { Dispatcher, MAX_UPDATES_PER_CALL, type DispatcherOptions } from './dispatcher.js';
export type { Identify, CallerIdentity } from './identity.js';
export {
  DEFAULT_HEARTBEAT_PERIOD_MS,
  heartbeatGrace,
  managersFromStore,
  type ManagerPeer,
} from './settings.js';
export { IncompleteLogsError } from './log-broker.js';
export { HEARTBEAT_FAILURE } from './node-status-writes.js';
export * from '../../api/wire/errors.js';
