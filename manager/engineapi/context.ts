// What every route module gets: the daemon seam, the build facts and the clock.

import type { EventLog } from './event-log.js';
import type { LocalEngine } from './local-engine.js';
import type { SwarmControl } from './swarm-control.js';

export interface BuildInfo {
  /** shoal's version, e.g. "0.1.0" (shown as Server: shoal/<version> and in /version). */
  readonly version: string;
  readonly gitCommit?: string;
  /** RFC 3339 build time. */
  readonly buildTime?: string;
}

export interface RouteContext {
  readonly control: SwarmControl;
  readonly build: BuildInfo;
  readonly clock: () => Date;
  readonly events: EventLog;
  /** The node's Docker Engine, when the API serves one (merged routes ask it for its part). */
  readonly engine?: LocalEngine;
}
