// HTTP to the daemon over a unix socket (or tcp, optionally TLS), with Docker's error shape:
// a non-2xx answer carries {"message": "..."} and becomes a DaemonError.
import http from 'node:http';
import https from 'node:https';
import type { IncomingHttpHeaders, IncomingMessage } from 'node:http';
import { Value } from '@sinclair/typebox/value';
import { ErrorResponseSchema } from '../../api/docker/error-response.js';
import { DaemonError, DaemonUnreachableError } from './errors.js';
import type { DaemonEndpoint } from './host.js';
import type { TlsSettings } from './tls-options.js';

export type QueryValue = string | number | boolean | undefined;

export interface RequestOptions {
  readonly query?: Readonly<Record<string, QueryValue>>;
  /** JSON-encoded as the request body when present. */
  readonly body?: unknown;
  readonly signal?: AbortSignal;
  readonly headers?: Readonly<Record<string, string>>;
}

export interface StreamResponse {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly body: IncomingMessage;
}

export interface BufferedResponse {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly body: Buffer;
}

export function encodeQuery(query: Readonly<Record<string, QueryValue>> | undefined): string {
  if (query === undefined) return '';
  const parts: string[] = [];
  for (const key of Object.keys(query).sort()) {
    const v = query[key];
    if (v === undefined) continue;
    const text = typeof v === 'boolean' ? (v ? '1' : '0') : String(v);
    parts.push(`${encodeURIComponent(key)}=${encodeURIComponent(text)}`);
  }
  return parts.length === 0 ? '' : `?${parts.join('&')}`;
}

async function readAll(stream: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) {
    chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer));
  }
  return Buffer.concat(chunks);
}

/** The daemon's error text: {"message": …} when JSON, else the body itself. */
export function errorDetail(status: number, body: Buffer): string {
  const text = body.toString('utf8').trim();
  if (text !== '') {
    try {
      const parsed: unknown = JSON.parse(text);
      if (Value.Check(ErrorResponseSchema, parsed)) return parsed.message.trim();
    } catch {
      // not JSON: use the text
    }
    return text;
  }
  return http.STATUS_CODES[status] ?? `status ${status}`;
}

export class HttpTransport {
  constructor(
    readonly endpoint: DaemonEndpoint,
    private readonly tls?: TlsSettings,
    private readonly userAgent = 'shoal-cli',
  ) {}

  /** Sends a request and hands back the open response stream (2xx only). */
  async stream(method: string, path: string, options: RequestOptions = {}): Promise<StreamResponse> {
    const payload =
      options.body === undefined ? undefined : Buffer.from(JSON.stringify(options.body), 'utf8');
    const headers: Record<string, string> = {
      'User-Agent': this.userAgent,
      ...(options.headers ?? {}),
    };
    if (payload !== undefined) {
      headers['Content-Type'] = 'application/json';
      headers['Content-Length'] = String(payload.length);
    }
    const target = path + encodeQuery(options.query);
    const response = await new Promise<IncomingMessage>((resolve, reject) => {
      const common = {
        method,
        path: target,
        headers,
        ...(options.signal !== undefined ? { signal: options.signal } : {}),
      };
      let req: http.ClientRequest;
      if (this.endpoint.kind === 'unix') {
        req = http.request({ ...common, socketPath: this.endpoint.socketPath, host: 'localhost' });
      } else if (this.tls !== undefined) {
        req = https.request({
          ...common,
          host: this.endpoint.host,
          port: this.endpoint.port,
          ...(this.tls.ca !== undefined ? { ca: this.tls.ca } : {}),
          ...(this.tls.cert !== undefined ? { cert: this.tls.cert } : {}),
          ...(this.tls.key !== undefined ? { key: this.tls.key } : {}),
          rejectUnauthorized: this.tls.rejectUnauthorized,
        });
      } else {
        req = http.request({ ...common, host: this.endpoint.host, port: this.endpoint.port });
      }
      req.on('response', resolve);
      req.on('error', (err: NodeJS.ErrnoException) => {
        if (err.name === 'AbortError') {
          reject(err);
          return;
        }
        const code = err.code ?? '';
        if (['ECONNREFUSED', 'ENOENT', 'EACCES', 'ECONNRESET', 'EHOSTUNREACH', 'ETIMEDOUT'].includes(code)) {
          reject(new DaemonUnreachableError(this.endpoint.url, err.message));
        } else {
          reject(err);
        }
      });
      req.end(payload);
    });
    const status = response.statusCode ?? 0;
    if (status < 200 || status >= 300) {
      const body = await readAll(response);
      throw new DaemonError(status, errorDetail(status, body));
    }
    return { status, headers: response.headers, body: response };
  }

  async request(method: string, path: string, options: RequestOptions = {}): Promise<BufferedResponse> {
    const res = await this.stream(method, path, options);
    return { status: res.status, headers: res.headers, body: await readAll(res.body) };
  }
}
