// The Docker API on shoald's unix socket, built on its first use. The API server's modules
// (fastify, the routes, the Docker API schemas, the engine passthrough) cost a worker some
// 15–20 MiB while nothing talks to it, so a plain net.Server accepts on the socket and the
// first connection (or the first forwarded request) loads and builds the server. Accepted
// connections wait, unread, until it is built, then are handed to its http server whole (its
// 'connection' event): the client sees the same HTTP server as when fastify listens itself.

import { existsSync, unlinkSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import type { FastifyInstance } from 'fastify';

export interface LazyApiLogger {
  error(obj: object, msg: string): void;
}

export class ApiClosedError extends Error {
  constructor() {
    super('the API server is shutting down');
    this.name = 'ApiClosedError';
  }
}

export class LazyApiServer {
  private building: Promise<FastifyInstance> | undefined;
  private app: FastifyInstance | undefined;
  /** Connections accepted before the server was built. */
  private readonly waiting = new Set<Socket>();
  private front: Server | undefined;
  private closed = false;

  /** `build` imports and creates the API server with `fedConnections` (server.ts). */
  constructor(
    private readonly build: () => Promise<FastifyInstance>,
    private readonly logger: LazyApiLogger,
  ) {}

  /** Whether the server has been built (a connection or a caller asked for it). */
  get loaded(): boolean {
    return this.app !== undefined;
  }

  /** The API server, built now unless it already is. Concurrent callers share one build. */
  instance(): Promise<FastifyInstance> {
    if (this.app !== undefined) return Promise.resolve(this.app);
    if (this.closed) return Promise.reject(new ApiClosedError());
    this.building ??= this.build().then(
      async (app) => {
        await app.ready();
        if (this.closed) {
          await app.close();
          throw new ApiClosedError();
        }
        // Node starts an http server's connection checks (headersTimeout) when it listens;
        // this one never does itself: its connections come through the front's socket.
        app.server.emit('listening');
        this.app = app;
        return app;
      },
      (e: unknown) => {
        // A later connection tries again.
        this.building = undefined;
        throw e;
      },
    );
    return this.building;
  }

  /** Listens on the unix socket (a stale socket file there is removed first). */
  async listen(socketPath: string): Promise<void> {
    if (existsSync(socketPath)) unlinkSync(socketPath);
    // As node:http's own listener: half-open connections stay open (a hijacked attach stream
    // is half-closed by the client), no Nagle.
    const front = createServer({ allowHalfOpen: true, noDelay: true }, (socket) => this.accept(socket));
    await new Promise<void>((resolve, reject) => {
      front.once('error', reject);
      front.listen(socketPath, () => {
        front.off('error', reject);
        resolve();
      });
    });
    this.front = front;
  }

  private accept(socket: Socket): void {
    if (this.app !== undefined) {
      this.app.server.emit('connection', socket);
      return;
    }
    // Until the http server takes it, a reset connection is only dropped.
    const dropped = (): void => {
      this.waiting.delete(socket);
    };
    socket.on('error', dropped);
    socket.once('close', dropped);
    this.waiting.add(socket);
    this.instance().then(
      (app) => {
        socket.off('error', dropped);
        socket.off('close', dropped);
        if (!this.waiting.delete(socket)) return;
        app.server.emit('connection', socket);
      },
      (e: unknown) => {
        if (!(e instanceof ApiClosedError))
          this.logger.error({ err: e }, 'could not load the API server; connection closed');
        this.waiting.delete(socket);
        socket.destroy();
      },
    );
  }

  /** Stops accepting, closes every connection (as fastify's forceCloseConnections) and the API. */
  async close(): Promise<void> {
    this.closed = true;
    const front = this.front;
    const stopped =
      front === undefined ? Promise.resolve() : new Promise<void>((resolve) => front.close(() => resolve()));
    for (const socket of this.waiting) socket.destroy();
    this.waiting.clear();
    const app = this.app ?? (await this.building?.catch(() => undefined));
    if (app !== undefined) {
      app.server.closeAllConnections();
      await app.close();
      // Ends the connection checks started above (fastify closes only a server it listens on).
      app.server.close();
    }
    await stopped;
  }
}
