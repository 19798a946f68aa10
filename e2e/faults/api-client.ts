// One HTTP request to a shoald's Docker API socket, with a deadline, answering what a history
// needs to know: the status and body when an answer came, else whether the request can have
// reached the daemon at all (refused: it did not, so it took no effect; lost: it may have).

import { request } from 'node:http';

export interface ApiAnswer {
  readonly kind: 'answer';
  readonly status: number;
  readonly body: string;
}

export interface ApiNoAnswer {
  /** 'refused': no connection was made (no socket, nobody listening): the request had no effect. */
  readonly kind: 'refused' | 'lost';
  readonly reason: string;
}

export type ApiOutcome = ApiAnswer | ApiNoAnswer;

const API_PREFIX = '/v1.41';
/** Answers beyond this are cut (a list of a few thousand services stays well below). */
const MAX_BODY_BYTES = 64 * 1024 * 1024;

export function apiCall(
  socketPath: string,
  method: 'GET' | 'POST' | 'DELETE',
  path: string,
  body: unknown,
  timeoutMs: number,
): Promise<ApiOutcome> {
  return new Promise((resolve) => {
    let settled = false;
    const settle = (o: ApiOutcome): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(o);
    };
    const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
    const req = request(
      {
        socketPath,
        method,
        path: `${API_PREFIX}${path}`,
        agent: false,
        headers: {
          ...(payload ? { 'content-type': 'application/json', 'content-length': payload.length } : {}),
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (c: Buffer) => {
          size += c.length;
          if (size <= MAX_BODY_BYTES) chunks.push(c);
        });
        res.on('end', () =>
          settle({
            kind: 'answer',
            status: res.statusCode ?? 0,
            body: Buffer.concat(chunks).toString('utf8'),
          }),
        );
        res.on('error', (e) => settle({ kind: 'lost', reason: e.message }));
      },
    );
    let connected = false;
    req.on('socket', (s) => s.on('connect', () => (connected = true)));
    const timer = setTimeout(() => {
      settle({ kind: 'lost', reason: `no answer within ${timeoutMs} ms` });
      req.destroy();
    }, timeoutMs);
    req.on('error', (e: NodeJS.ErrnoException) => {
      const refused = !connected && (e.code === 'ECONNREFUSED' || e.code === 'ENOENT');
      settle({ kind: refused ? 'refused' : 'lost', reason: e.code ?? e.message });
    });
    req.end(payload);
  });
}

/** The answer's JSON body, or undefined when it is not JSON. */
export function jsonBody(a: ApiAnswer): unknown {
  try {
    return JSON.parse(a.body) as unknown;
  } catch {
    return undefined;
  }
}
