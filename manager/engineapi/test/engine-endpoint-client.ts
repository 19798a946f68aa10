// Test clients for the engine endpoint tests: plain HTTP over a unix socket (answer read whole
// or as a stream), and a raw hijack (request head, then bytes both ways).

import { createHash } from 'node:crypto';
import { request, type IncomingMessage } from 'node:http';
import { connect, type Socket } from 'node:net';
import type { Readable } from 'node:stream';

export interface Answer {
  readonly status: number;
  readonly headers: IncomingMessage['headers'];
  readonly body: Buffer;
}

/** Sends a request (body as bytes or a stream) and resolves with the response, unread. */
export function open(
  socketPath: string,
  method: string,
  path: string,
  body?: Buffer | Readable,
  headers: Record<string, string> = {},
): Promise<IncomingMessage> {
  return new Promise((resolve, reject) => {
    const req = request({ socketPath, method, path, headers: { Host: 'docker', ...headers } }, resolve);
    req.on('error', reject);
    if (body === undefined || Buffer.isBuffer(body)) req.end(body);
    else body.pipe(req);
  });
}

export async function readAll(res: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of res) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

export async function call(
  socketPath: string,
  method: string,
  path: string,
  body?: unknown,
): Promise<Answer> {
  const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
  const res = await open(
    socketPath,
    method,
    path,
    payload,
    payload === undefined ? {} : { 'Content-Type': 'application/json' },
  );
  return { status: res.statusCode ?? 0, headers: res.headers, body: await readAll(res) };
}

export function sha256(b: Buffer): string {
  return createHash('sha256').update(b).digest('hex');
}

/** Reads from `socket` until `predicate` holds for everything read so far. */
export function readUntil(socket: Socket, predicate: (text: string) => boolean): Promise<string> {
  return new Promise((resolve, reject) => {
    let text = '';
    const onData = (c: Buffer): void => {
      text += c.toString('utf8');
      if (predicate(text)) {
        socket.removeListener('data', onData);
        socket.removeListener('error', reject);
        resolve(text);
      }
    };
    socket.on('data', onData);
    socket.on('error', reject);
    socket.once('end', () =>
      predicate(text) ? undefined : reject(new Error(`ended after ${JSON.stringify(text)}`)),
    );
  });
}

/** Opens a hijacked connection as the docker CLI does (Connection: Upgrade, Upgrade: tcp). */
export async function hijack(socketPath: string, path: string): Promise<{ socket: Socket; head: string }> {
  const socket = connect({ path: socketPath, allowHalfOpen: true });
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('error', reject);
  });
  socket.write(
    `POST ${path} HTTP/1.1\r\nHost: docker\r\nContent-Type: text/plain\r\nConnection: Upgrade\r\nUpgrade: tcp\r\n\r\n`,
  );
  const head = await readUntil(socket, (t) => t.includes('\r\n\r\n'));
  return { socket, head };
}
