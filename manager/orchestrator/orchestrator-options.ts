// What every orchestrator loop is built with.

import type { Logger } from 'pino';
import type { Clock } from '../../api/clock/clock.js';
import type { MemoryStore } from '../store/store.js';
import type { RestartSupervisor } from './restart/restart-supervisor.js';
import type { UpdateRequests } from './update-requests.js';

export interface OrchestratorOptions {
  readonly store: MemoryStore;
  readonly clock: Clock;
  readonly restarts: RestartSupervisor;
  readonly updates: UpdateRequests;
  readonly logger?: Logger;
}
