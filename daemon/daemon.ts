// shoald: one per node. Always the agent once the node is in a swarm, and the manager when it
// is one. Serves the Docker-compatible API on a unix socket and, on start, rejoins the swarm
// it was part of.

import { join } from 'node:path';
import { pino, type Logger } from 'pino';
import { serveForwarded } from '../manager/engineapi/serve-forwarded.js';
import type { ForwardedRequest, ForwardedResponse } from '../manager/engineapi/swarm-control.js';
import { makeApiSocketDir, secureApiSocket } from './api-socket.js';
import { socketPath, type DaemonConfig } from './config.js';
import { prepareDataRoot, restrictUmask } from './data-root.js';
import { checkDashboardAddr, noteDashboardRole } from './dashboard-addr.js';
import { LazyApiServer } from './lazy-api-server.js';
import { startMetricsServer, type MetricsServer } from './metrics-server.js';
import { NodeSwarmControl } from './node-swarm-control.js';
import { startupStorageFault } from './storage-fault.js';
import { SwarmNode } from './swarm-node.js';
import { SHOAL_VERSION } from './version.js';

export interface DaemonOptions {
  readonly config: DaemonConfig;
  /** Reported as the node's hostname (default: the engine's). */
  readonly hostname?: string;
  /** Raft tick in ms (default 100). */
  readonly tickMs?: number;
  readonly logger?: Logger;
}

export class Daemon {
  readonly node: SwarmNode;
  /** The Docker API; built on its first connection on a worker (`await api.instance()`). */
  readonly api: LazyApiServer;
  readonly logger: Logger;
  readonly socket: string;
  /** The metrics listener (--metrics-addr), if on. */
  readonly metrics: MetricsServer | undefined;

  private constructor(
    node: SwarmNode,
    api: LazyApiServer,
    logger: Logger,
    socket: string,
    metrics: MetricsServer | undefined,
  ) {
    this.node = node;
    this.api = api;
    this.logger = logger;
    this.socket = socket;
    this.metrics = metrics;
  }

  static async start(o: DaemonOptions): Promise<Daemon> {
    const c = o.config;
    const logger = o.logger ?? pino({ level: c.logLevel, base: { pid: process.pid } });
    // Before anything is written: every file created from now on is private, and the data
    // root (which holds the root CA key) is 0700 with nothing in it readable by others.
    restrictUmask();
    await prepareDataRoot(c.dataRoot, logger);
    await checkDashboardAddr(c);
    // Off unless asked for; read at scrape time from whatever this node runs then. Bound first:
    // an address that cannot be bound stops shoald before anything else starts.
    const current: { node?: SwarmNode } = {};
    // Loaded only when on: prom-client and the metric families cost memory on every node.
    const metrics =
      c.metricsAddr === ''
        ? undefined
        : new (await import('./metrics.js')).DaemonMetrics(() => current.node?.agent?.networkCounts());
    const metricsServer =
      metrics === undefined ? undefined : await startMetricsServer(c.metricsAddr, metrics, logger);
    // The API answers requests forwarded by follower managers in-process.
    const served: { api?: LazyApiServer } = {};
    const runApiRequest = async (req: ForwardedRequest): Promise<ForwardedResponse> => {
      if (!served.api) throw new Error('the API is not running yet');
      return serveForwarded(await served.api.instance(), req);
    };
    const node = new SwarmNode({
      config: c,
      logger,
      runApiRequest,
      ...(o.hostname ? { hostname: o.hostname } : {}),
      ...(o.tickMs !== undefined ? { tickMs: o.tickMs } : {}),
      ...(metrics !== undefined ? { metrics: metrics.manager } : {}),
    });
    current.node = node;
    const control = new NodeSwarmControl(node, socketPath(c.engine));
    // The node's one Docker endpoint: what shoal does not own passes through to this engine.
    const engine = { socketPath: socketPath(c.engine) };
    // Loaded on first use: a worker's API is seldom used and its modules are large.
    const api = new LazyApiServer(async () => {
      const { createApiServer } = await import('../manager/engineapi/server.js');
      return createApiServer({
        control,
        logger,
        engine,
        build: { version: SHOAL_VERSION },
        fedConnections: true,
        ...(metrics !== undefined ? { requestDurations: metrics.requestDurations } : {}),
      });
    }, logger);
    served.api = api;
    try {
      await node.resume();
    } catch (e: unknown) {
      // A damaged raft store or a failing disk: shoald does not run half-alive without its manager.
      const refused = startupStorageFault(e, join(c.dataRoot, 'swarm'));
      if (refused !== undefined) {
        await node.close().catch(() => undefined);
        await metricsServer?.close();
        throw refused;
      }
      // Otherwise the API still starts, so `shoal info` can show the error and `swarm leave` can reset.
      logger.error({ err: e }, 'could not rejoin the swarm this node was part of');
    }
    const socket = socketPath(c.host);
    // A manager serves requests forwarded by the others and its own: its API is built now.
    if (node.manager !== undefined) await api.instance();
    await makeApiSocketDir(socket);
    await api.listen(socket);
    await secureApiSocket(socket, logger);
    logger.info({ socket, dataRoot: c.dataRoot }, 'shoald is serving');
    noteDashboardRole(c, node.manager !== undefined, logger);
    return new Daemon(node, api, logger, socket, metricsServer);
  }

  async close(): Promise<void> {
    await this.metrics?.close();
    await this.api.close();
    await this.node.close();
  }
}
