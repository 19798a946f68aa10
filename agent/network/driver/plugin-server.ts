// The HTTP side of a Docker plugin: a server on a unix socket (dockerd finds it as
// /run/docker/plugins/<name>.sock) taking POSTs of JSON bodies at /<Interface>.<Method>. A body
// that does not match its schema gets a 400; a handler that fails answers {"Err": message}, as the
// protocol asks; an unknown method gets a 404 (dockerd then treats it as not implemented).

import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { chmod, mkdir, rm } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { Static, TSchema } from '@sinclair/typebox';
import { TypeCompiler, type TypeCheck } from '@sinclair/typebox/compiler';
import type { Logger } from 'pino';
import { pino } from 'pino';

export interface PluginRoute<T = unknown> {
  readonly schema: TSchema;
  readonly handle: (body: T) => Promise<object>;
}

/** Builds a route whose handler receives the body typed by its schema. */
export function route<S extends TSchema>(
  schema: S,
  handle: (body: Static<S>) => Promise<object>,
): PluginRoute {
  return { schema, handle };
}

const CONTENT_TYPE = 'application/vnd.docker.plugins.v1.2+json';
const MAX_BODY = 1 << 20;

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (b: Buffer) => {
      size += b.length;
      if (size > MAX_BODY) {
        reject(new Error(`request body larger than ${MAX_BODY} bytes`));
        req.destroy();
      } else chunks.push(b);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

export class PluginServer {
  private readonly routes = new Map<string, { route: PluginRoute; check: TypeCheck<TSchema> }>();
  private server: Server | undefined;
  private readonly log: Logger;

  constructor(routes: Readonly<Record<string, PluginRoute>>, logger?: Logger) {
    for (const [path, r] of Object.entries(routes))
      this.routes.set(path, { route: r, check: TypeCompiler.Compile(r.schema) });
    this.log = logger ?? pino({ level: 'silent' });
  }

  /** Listens on the socket path (a stale socket file there is replaced). */
  async listen(socketPath: string): Promise<void> {
    await mkdir(dirname(socketPath), { recursive: true });
    await rm(socketPath, { force: true });
    const server = createServer((req, res) => void this.serve(req, res));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(socketPath, () => {
        server.off('error', reject);
        resolve();
      });
    });
    // Only dockerd (root) talks to the plugin: owner and group only, as Docker's plugin helpers.
    await chmod(socketPath, 0o660);
    this.server = server;
  }

  /** Stops listening and removes the socket file. */
  async close(): Promise<void> {
    const server = this.server;
    if (server === undefined) return;
    this.server = undefined;
    const address = server.address();
    server.closeIdleConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    if (typeof address === 'string') await rm(address, { force: true });
  }

  private async serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const send = (status: number, body: object): void => {
      res.writeHead(status, { 'Content-Type': CONTENT_TYPE });
      res.end(JSON.stringify(body));
    };
    const path = (req.url ?? '').split('?')[0] ?? '';
    const entry = this.routes.get(path);
    if (req.method !== 'POST' || entry === undefined) {
      send(404, { Err: `${req.method ?? 'GET'} ${path} is not a method of this plugin` });
      return;
    }
    let body: unknown;
    try {
      const text = await readBody(req);
      body = text.trim() === '' ? {} : (JSON.parse(text) as unknown);
    } catch (e: unknown) {
      send(400, { Err: `${path}: the body is not JSON: ${e instanceof Error ? e.message : String(e)}` });
      return;
    }
    if (!entry.check.Check(body)) {
      const first = entry.check.Errors(body).First();
      send(400, { Err: `${path}: ${first ? `${first.path || 'body'}: ${first.message}` : 'invalid body'}` });
      return;
    }
    try {
      const out = await entry.route.handle(body);
      this.log.debug({ method: path }, 'plugin call');
      send(200, out);
    } catch (e: unknown) {
      const message = e instanceof Error ? e.message : String(e);
      this.log.warn({ method: path, err: e }, 'plugin call failed');
      send(200, { Err: message });
    }
  }
}
