// Hijacked connections to the engine: `docker attach`, `docker exec`, `docker run -i`/`-it`
// ask for `Connection: Upgrade` / `Upgrade: tcp` (BuildKit's /session and /grpc for h2c), and
// after dockerd's 101 the connection carries raw bytes both ways. @fastify/reply-from proxies
// request/response pairs and WebSockets, not this, so this module does it: the client's request
// is replayed on a fresh connection to the engine's socket, and once the engine answers, the two
// sockets are piped into each other. Half-closes pass through (the CLI closes its write side when
// stdin ends and still reads the output), so `echo x | docker run -i … cat` works as on dockerd.

import { connect, type Socket } from 'node:net';
import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { isEnginePath } from './engine-passthrough.js';
import type { LocalEngine } from './local-engine.js';

/** Longest request head the engine is sent (Node's own header limit is 16 KiB). */
const MAX_HEAD_BYTES = 64 * 1024;

/** Node's 'upgrade' listener: engine paths are spliced to the engine, anything else refused. */
export type UpgradeListener = (req: IncomingMessage, socket: Duplex, head: Buffer) => void;

function refuse(socket: Duplex, status: number, reason: string, message: string): void {
  const body = JSON.stringify({ message });
  socket.end(
    `HTTP/1.1 ${status} ${reason}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
  );
}

/** The request's head as the client sent it (its path unchanged, its version prefix kept). */
function requestHead(req: IncomingMessage, url: string): string {
  const lines = [`${req.method ?? 'GET'} ${url} HTTP/1.1`];
  const raw = req.rawHeaders;
  for (let i = 0; i + 1 < raw.length; i += 2) lines.push(`${raw[i]}: ${raw[i + 1]}`);
  return `${lines.join('\r\n')}\r\n\r\n`;
}

/** The path the routes would see: no /vX.Y prefix, no query. */
function pathWithoutVersion(url: string): string {
  const path = url.split('?')[0] ?? '/';
  return path.replace(/^\/v\d+\.\d+(?=\/|$)/, '') || '/';
}

/** Whether a path has a `.` or `..` segment (also percent-encoded), or cannot be decoded. */
function hasDotSegment(path: string): boolean {
  let decoded: string;
  try {
    decoded = decodeURIComponent(path);
  } catch {
    return true;
  }
  return decoded.split('/').some((seg) => seg === '.' || seg === '..');
}

/** Pipes `a` into `b` and `b` into `a`, passing half-closes on, until both sides are done. */
function splice(client: Duplex, engine: Socket): void {
  client.pipe(engine);
  engine.pipe(client);
  const destroyBoth = (): void => {
    client.destroy();
    engine.destroy();
  };
  client.on('error', destroyBoth);
  engine.on('error', destroyBoth);
  client.on('close', () => engine.destroy());
  engine.on('close', () => client.destroy());
}

export function engineUpgradeListener(engine: LocalEngine): UpgradeListener {
  return (req, socket, head) => {
    const original = req.url ?? '/';
    const path = pathWithoutVersion(original);
    if (hasDotSegment(path)) {
      // The engine would clean `/containers/../swarm/init` into a path shoal owns.
      refuse(socket, 400, 'Bad Request', `invalid path ${JSON.stringify(path)}: no . or .. segments`);
      return;
    }
    if (!isEnginePath(path)) {
      refuse(
        socket,
        404,
        'Not Found',
        `${path} cannot be upgraded: only the engine's attach and exec streams are`,
      );
      return;
    }
    const headText = requestHead(req, original);
    if (Buffer.byteLength(headText) > MAX_HEAD_BYTES) {
      refuse(socket, 431, 'Request Header Fields Too Large', 'request head too large');
      return;
    }
    const upstream = connect({ path: engine.socketPath, allowHalfOpen: true });
    socket.on('error', () => upstream.destroy());
    const unreachable = (e: Error): void =>
      refuse(socket, 502, 'Bad Gateway', `cannot reach the node's Docker Engine: ${e.message}`);
    upstream.once('error', unreachable);
    upstream.once('connect', () => {
      upstream.removeListener('error', unreachable);
      upstream.write(headText);
      // Bytes the client sent after its head (stdin typed ahead) go after it, in order.
      if (head.length > 0) upstream.write(head);
      splice(socket, upstream);
    });
  };
}

/** Lets `server` hand hijack requests to the engine (the unix socket's and the TCP listener). */
export function acceptEngineUpgrades(server: Server, listener: UpgradeListener): void {
  server.on('upgrade', listener);
}
