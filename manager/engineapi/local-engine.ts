// The node's own Docker Engine as the API sees it: the daemon gives its unix socket (the
// `--engine` setting), and the API passes through to it what shoal does not own and merges
// what both own (/networks, /info, /version, /events). The small client here is for the merged
// reads; passthrough streams go through @fastify/reply-from (engine-passthrough.ts) and
// hijacked connections through engine-upgrade.ts, over the same socket.

import { request as httpRequest, type IncomingMessage } from 'node:http';

/** What the daemon gives the API about its engine. */
export interface LocalEngine {
  /** The engine's unix socket path, e.g. /var/run/docker.sock. */
  readonly socketPath: string;
}

export interface EngineAnswer {
  readonly status: number;
  readonly contentType: string;
  readonly body: Buffer;
}

/** Bounds of what a merged read takes from the engine (it is trusted, but not unbounded). */
export const ENGINE_JSON_LIMIT = 32 * 1024 * 1024;
const ENGINE_READ_TIMEOUT_MS = 30_000;

export class EngineUnreachableError extends Error {
  readonly code = 'ENGINE_UNREACHABLE';
  constructor(socketPath: string, cause: string) {
    super(`cannot reach the Docker Engine at unix://${socketPath}: ${cause}; is dockerd running?`);
    this.name = 'EngineUnreachableError';
  }
}

/** Sends one request to the engine and reads its whole answer (bounded). */
export function engineRequest(
  engine: LocalEngine,
  method: string,
  path: string,
  body?: unknown,
): Promise<EngineAnswer> {
  return new Promise((resolve, reject) => {
    const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
    const req = httpRequest(
      {
        socketPath: engine.socketPath,
        method,
        path,
        headers: {
          Host: 'docker',
          ...(payload === undefined
            ? {}
            : { 'Content-Type': 'application/json', 'Content-Length': payload.length }),
        },
        timeout: ENGINE_READ_TIMEOUT_MS,
      },
      (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (c: Buffer) => {
          size += c.length;
          if (size > ENGINE_JSON_LIMIT) {
            res.destroy();
            reject(
              new EngineUnreachableError(
                engine.socketPath,
                `answer to ${path} over ${ENGINE_JSON_LIMIT} bytes`,
              ),
            );
            return;
          }
          chunks.push(c);
        });
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 500,
            contentType: res.headers['content-type'] ?? '',
            body: Buffer.concat(chunks),
          }),
        );
        res.on('error', (e) => reject(new EngineUnreachableError(engine.socketPath, e.message)));
      },
    );
    req.on('timeout', () =>
      req.destroy(new Error(`no answer to ${method} ${path} in ${ENGINE_READ_TIMEOUT_MS} ms`)),
    );
    req.on('error', (e) => reject(new EngineUnreachableError(engine.socketPath, e.message)));
    req.end(payload);
  });
}

/** The engine's JSON answer to a GET, or undefined when it is down or answers an error. */
export async function engineJson(engine: LocalEngine, path: string): Promise<unknown> {
  try {
    const a = await engineRequest(engine, 'GET', path);
    if (a.status !== 200) return undefined;
    return JSON.parse(a.body.toString('utf8')) as unknown;
  } catch {
    return undefined;
  }
}

/** Opens a long-lived GET (e.g. /events) and resolves with the engine's response stream. */
export function engineStream(
  engine: LocalEngine,
  path: string,
  signal: AbortSignal,
): Promise<IncomingMessage> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      { socketPath: engine.socketPath, method: 'GET', path, headers: { Host: 'docker' }, signal },
      resolve,
    );
    req.on('error', (e) => reject(new EngineUnreachableError(engine.socketPath, e.message)));
    req.end();
  });
}
