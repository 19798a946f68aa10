// The HTTP API: the Docker Engine API's swarm subset, served by fastify on a unix socket (and
// optionally TCP). Paths are answered bare and with Docker's /vX.Y/ prefix; every error is
// Docker's {"message": "..."} with its status code.

import { existsSync, unlinkSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import Fastify, {
  LogController,
  type FastifyBaseLogger,
  type FastifyInstance,
  type FastifyServerFactory,
} from 'fastify';
import { API_VERSION, checkVersion, stripVersionPrefix } from './api-version.js';
import type { BuildInfo, RouteContext } from './context.js';
import { errorBody, toHttpFailure } from './errors.js';
import { answeredByEngine, registerEnginePassthrough } from './engine-passthrough.js';
import { registerNetworkConnectRoutes } from './routes/network-connect.js';
import { createContainer } from './engine-attach.js';
import { acceptEngineUpgrades, engineUpgradeListener, type UpgradeListener } from './engine-upgrade.js';
import { EventLog } from './event-log.js';
import type { LocalEngine } from './local-engine.js';
import { registerBodyParsers } from './request-body.js';
import { registerRequestMetrics, type RequestDurations } from './request-metrics.js';
import { registerEventRoutes } from './routes/events.js';
import { registerConfigRoutes } from './routes/configs.js';
import { registerNetworkRoutes } from './routes/networks.js';
import { registerNodeRoutes } from './routes/nodes.js';
import { registerSecretRoutes } from './routes/secrets.js';
import { registerServiceLogRoutes } from './routes/service-logs.js';
import { registerServiceRoutes } from './routes/services.js';
import { registerSwarmRoutes } from './routes/swarm.js';
import { registerSystemRoutes } from './routes/system.js';
import { registerTaskRoutes } from './routes/tasks.js';
import { compileValidator, type HttpPart } from './schema-validator.js';
import { registerStaleReadWarning } from './stale-reads.js';
import type { SwarmControl } from './swarm-control.js';
import type { TSchema } from '@sinclair/typebox';

export interface ApiServerOptions {
  readonly control: SwarmControl;
  /** pino logger for requests and errors (quiet unless its level says otherwise). */
  readonly logger?: FastifyBaseLogger;
  readonly build: BuildInfo;
  /** Clock for event timestamps (tests inject one). */
  readonly clock?: () => Date;
  /**
   * The node's Docker Engine: what shoal does not own passes through to it, and /networks,
   * /info, /version and /events merge its part with the swarm's. Without it (tests of the
   * swarm routes alone) the API serves only shoal's part.
   */
  readonly engine?: LocalEngine;
  /** Records each request's latency by method, route pattern and code (the metrics endpoint). */
  readonly requestDurations?: RequestDurations;
  /**
   * The caller accepts the connections and hands each to `app.server` (its 'connection' event):
   * shoald's API socket is listened on before this module is loaded (daemon/lazy-api-server.ts).
   * The server then never listens itself, but is set up as fastify sets up the one it listens on.
   */
  readonly fedConnections?: boolean;
}

/** The hijack handler of each API instance with an engine, for listeners made later (TCP). */
const upgradeListeners = new WeakMap<FastifyInstance, UpgradeListener>();

export function createApiServer(options: ApiServerOptions): FastifyInstance {
  const app = Fastify({
    ...(options.logger === undefined ? { logger: false } : { loggerInstance: options.logger }),
    rewriteUrl: stripVersionPrefix,
    logController: new LogController({ disableRequestLogging: true }),
    return503OnClosing: true,
    forceCloseConnections: true,
    ...(options.fedConnections === true ? { serverFactory: unlistenedServer } : {}),
  });
  const clock = options.clock ?? (() => new Date());
  const ctx: RouteContext = {
    control: options.control,
    build: options.build,
    clock,
    events: new EventLog(clock),
    ...(options.engine === undefined ? {} : { engine: options.engine }),
  };

  app.setValidatorCompiler(({ schema, httpPart }) =>
    compileValidator(schema as TSchema, (httpPart ?? 'body') as HttpPart),
  );
  registerBodyParsers(app);

  app.addHook('onRequest', (request, _reply, done) => {
    request.log.debug({ method: request.method, url: request.originalUrl }, 'api request');
    try {
      checkVersion(request.raw);
      followStore(options.control, ctx.events);
      done();
    } catch (e: unknown) {
      done(e instanceof Error ? e : new Error(String(e)));
    }
  });
  app.addHook('onSend', (request, reply, payload, done) => {
    // The engine's answers keep its own headers (Api-Version, stream content types).
    if (answeredByEngine(request)) return done(null, payload);
    // Docker's client parses error bodies only when the type is exactly application/json.
    const type = reply.getHeader('content-type');
    if (typeof type === 'string' && type.startsWith('application/json'))
      reply.header('content-type', 'application/json');
    reply.header('Api-Version', API_VERSION);
    reply.header('Docker-Experimental', 'false');
    reply.header('Ostype', 'linux');
    reply.header('Server', `shoal/${options.build.version}`);
    done(null, payload);
  });
  app.addHook('onResponse', (request, reply, done) => {
    request.log.debug(
      { method: request.method, url: request.originalUrl, status: reply.statusCode },
      'api response',
    );
    done();
  });
  if (options.requestDurations !== undefined) registerRequestMetrics(app, options.requestDurations);
  registerStaleReadWarning(app, options.control);
  app.setErrorHandler((error, request, reply) => {
    const failure = toHttpFailure(error);
    if (failure.statusCode >= 500) request.log.warn({ err: error, url: request.originalUrl }, 'api error');
    return reply.code(failure.statusCode).type('application/json').send(errorBody(failure.message));
  });
  app.setNotFoundHandler((_request, reply) =>
    reply.code(404).type('application/json').send(errorBody('page not found')),
  );
  app.addHook('onClose', (_instance, done) => {
    ctx.events.close();
    done();
  });

  registerSystemRoutes(app, ctx);
  registerSwarmRoutes(app, ctx);
  registerNodeRoutes(app, ctx);
  registerServiceRoutes(app, ctx);
  registerServiceLogRoutes(app, ctx);
  registerTaskRoutes(app, ctx);
  registerEventRoutes(app, ctx);
  registerNetworkRoutes(app, ctx);
  registerSecretRoutes(app, ctx);
  registerConfigRoutes(app, ctx);
  if (options.engine !== undefined) {
    const engine = options.engine;
    // Containers are the engine's: connecting one to a network is served only with an engine.
    registerNetworkConnectRoutes(app, { ...ctx, engine });
    // A container created on a swarm network gets its attachment first (engine-attach.ts).
    void registerEnginePassthrough(app, engine, (child) =>
      child.post('/containers/create', (request, reply) =>
        createContainer(options.control, engine, request, reply),
      ),
    );
    const upgrades = engineUpgradeListener(options.engine);
    acceptEngineUpgrades(app.server, upgrades);
    upgradeListeners.set(app, upgrades);
  }
  return app;
}

/**
 * The http server of an API fed its connections: set up as fastify sets up the one it creates
 * itself (it leaves a factory's server alone), from the same resolved options.
 */
const unlistenedServer: FastifyServerFactory = (handler, opts) => {
  const setting = (name: string): number | undefined => {
    const v: unknown = opts[name];
    return typeof v === 'number' ? v : undefined;
  };
  const server = createServer(handler);
  server.keepAliveTimeout = setting('keepAliveTimeout') ?? server.keepAliveTimeout;
  server.requestTimeout = setting('requestTimeout') ?? server.requestTimeout;
  server.setTimeout(setting('connectionTimeout') ?? 0);
  const perSocket = setting('maxRequestsPerSocket') ?? 0;
  if (perSocket > 0) server.maxRequestsPerSocket = perSocket;
  return server;
};

/** Keeps the event log on the store of an active manager, so `since` can replay recent events. */
function followStore(control: SwarmControl, events: EventLog): void {
  if (control.localNodeState() !== 'active' || !control.isManager()) return;
  events.follow(control.store());
}

export interface ListenOptions {
  /** Unix socket path; a stale socket file there is removed first. */
  readonly socketPath?: string;
  /** Optional TCP address (port 0 picks a free one). */
  readonly tcp?: { readonly host: string; readonly port: number };
}

export interface Listening {
  readonly socketPath?: string;
  readonly tcp?: AddressInfo;
  /** Stops the TCP listener (the unix socket closes with the fastify instance). */
  close(): Promise<void>;
}

/** Starts the API on a unix socket and/or TCP, both served by the same routes. */
export async function listenApiServer(app: FastifyInstance, options: ListenOptions): Promise<Listening> {
  let tcpServer: Server | undefined;
  let tcp: AddressInfo | undefined;
  if (options.socketPath !== undefined) {
    if (existsSync(options.socketPath)) unlinkSync(options.socketPath);
    await app.listen({ path: options.socketPath });
  } else {
    await app.ready();
  }
  if (options.tcp !== undefined) {
    const server = createServer((req, res) => app.routing(req, res));
    const upgrades = upgradeListeners.get(app);
    if (upgrades !== undefined) acceptEngineUpgrades(server, upgrades);
    tcpServer = server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(options.tcp!.port, options.tcp!.host, () => resolve());
    });
    tcp = server.address() as AddressInfo;
  }
  return {
    ...(options.socketPath === undefined ? {} : { socketPath: options.socketPath }),
    ...(tcp === undefined ? {} : { tcp }),
    close: () =>
      new Promise<void>((resolve) => {
        if (tcpServer === undefined) return resolve();
        tcpServer.closeAllConnections();
        tcpServer.close(() => resolve());
      }),
  };
}
