// The dashboard's HTTP server (plain HTTP, read-only): the page and its assets, the state as
// JSON, the live event stream (Server-Sent Events) and a service's recent events. Everything
// it serves comes from this manager's copy of the store; nothing it is sent changes anything.

import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { Logger } from 'pino';
import type { MemoryStore } from '../store/index.js';
import { DashboardHub, type StreamClient } from './event-hub.js';
import { DASHBOARD_ASSETS } from './page/assets.js';

export interface DashboardServerOptions {
  readonly store: MemoryStore;
  readonly host: string;
  /** 0: any free port (tests). */
  readonly port: number;
  readonly logger: Logger;
  readonly maxClients?: number;
  readonly maxBacklogBytes?: number;
  readonly keepaliveMs?: number;
}

/**
 * Only this origin's own script, style and connections: the page needs nothing else, and no
 * cluster string it shows can turn into markup or code.
 */
export const CONTENT_SECURITY_POLICY =
  "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; " +
  "object-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

const COMMON_HEADERS: Readonly<Record<string, string>> = {
  'content-security-policy': CONTENT_SECURITY_POLICY,
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
  'cache-control': 'no-store',
};

/** Store IDs are short alphanumeric strings; anything else in the path is not one. */
const SERVICE_EVENTS_PATH = /^\/api\/services\/([A-Za-z0-9]{1,64})\/events$/;

export class DashboardServer {
  readonly hub: DashboardHub;
  readonly #server: Server;
  readonly #sockets = new Set<Socket>();
  readonly #log: Logger;

  private constructor(server: Server, hub: DashboardHub, log: Logger) {
    this.#server = server;
    this.hub = hub;
    this.#log = log;
  }

  /** Listens on host:port; rejects (nothing left open) if it cannot. */
  static async start(o: DashboardServerOptions): Promise<DashboardServer> {
    const log = o.logger.child({ component: 'dashboard' });
    const hub = new DashboardHub({
      store: o.store,
      logger: log,
      ...(o.maxClients !== undefined ? { maxClients: o.maxClients } : {}),
      ...(o.maxBacklogBytes !== undefined ? { maxBacklogBytes: o.maxBacklogBytes } : {}),
      ...(o.keepaliveMs !== undefined ? { keepaliveMs: o.keepaliveMs } : {}),
    });
    const server = createServer({ requestTimeout: 10_000, headersTimeout: 10_000, maxHeaderSize: 16 * 1024 });
    const self = new DashboardServer(server, hub, log);
    server.on('request', (req: IncomingMessage, res: ServerResponse) => self.#handle(req, res));
    server.on('connection', (s: Socket) => {
      self.#sockets.add(s);
      s.on('close', () => self.#sockets.delete(s));
    });
    // Event streams are long-lived and few; other requests are short. Bound the sockets anyway.
    server.maxConnections = hub.maxClients + 64;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(o.port, o.host, () => {
        server.off('error', reject);
        resolve();
      });
    });
    server.on('error', (e) => log.error({ err: e }, 'dashboard server error'));
    hub.start();
    log.info({ addr: self.address }, 'dashboard serving');
    return self;
  }

  get port(): number {
    const a = this.#server.address();
    return typeof a === 'object' && a !== null ? a.port : 0;
  }

  get address(): string {
    const a = this.#server.address();
    if (typeof a !== 'object' || a === null) return '';
    return a.family === 'IPv6' ? `[${a.address}]:${a.port}` : `${a.address}:${a.port}`;
  }

  async close(): Promise<void> {
    this.hub.stop();
    const closed = new Promise<void>((resolve) => this.#server.close(() => resolve()));
    // Event streams never end by themselves: without this the port stays taken.
    for (const s of this.#sockets) s.destroy();
    await closed;
  }

  #handle(req: IncomingMessage, res: ServerResponse): void {
    try {
      this.#route(req, res);
    } catch (e: unknown) {
      this.#log.error({ err: e, url: req.url }, 'dashboard request failed');
      if (!res.headersSent) this.#json(res, 500, { message: 'internal error' });
      else res.destroy();
    }
  }

  #route(req: IncomingMessage, res: ServerResponse): void {
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.setHeader('allow', 'GET, HEAD');
      this.#json(res, 405, { message: 'the dashboard is read-only' });
      return;
    }
    const path = new URL(req.url ?? '/', 'http://dashboard.invalid').pathname;
    const asset = DASHBOARD_ASSETS.get(path);
    if (asset !== undefined) {
      this.#send(res, 200, asset.contentType, asset.body);
      return;
    }
    if (path === '/api/state') {
      this.#json(res, 200, this.hub.state());
      return;
    }
    if (path === '/api/events') {
      this.#stream(req, res);
      return;
    }
    const m = SERVICE_EVENTS_PATH.exec(path);
    if (m?.[1] !== undefined) {
      this.#json(res, 200, { serviceId: m[1], events: this.hub.rings.recent(m[1]) });
      return;
    }
    this.#json(res, 404, { message: `no such page: ${path}` });
  }

  #stream(req: IncomingMessage, res: ServerResponse): void {
    // A HEAD must not hold one of the few stream slots open.
    if (req.method === 'HEAD') {
      this.#send(res, 200, 'text/event-stream; charset=utf-8', '');
      return;
    }
    if (this.hub.clientCount >= this.hub.maxClients) {
      res.setHeader('retry-after', '5');
      this.#json(res, 503, { message: `too many dashboard streams (at most ${this.hub.maxClients})` });
      return;
    }
    res.writeHead(200, {
      ...COMMON_HEADERS,
      'content-type': 'text/event-stream; charset=utf-8',
      connection: 'keep-alive',
    });
    res.flushHeaders();
    const client: StreamClient = {
      write: (chunk) => void res.write(chunk),
      backlog: () => res.writableLength,
      close: () => res.destroy(),
    };
    if (!this.hub.addClient(client)) {
      res.destroy();
      return;
    }
    const gone = (): void => this.hub.removeClient(client);
    req.on('close', gone);
    res.on('close', gone);
  }

  #json(res: ServerResponse, status: number, body: unknown): void {
    this.#send(res, status, 'application/json; charset=utf-8', JSON.stringify(body));
  }

  #send(res: ServerResponse, status: number, contentType: string, body: string): void {
    res.writeHead(status, {
      ...COMMON_HEADERS,
      'content-type': contentType,
      'content-length': Buffer.byteLength(body),
    });
    res.end(body);
  }
}
