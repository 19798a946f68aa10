// Sends fuzzed requests to the child manager's API socket: fills in live values (an existing
// service, node, network or task for a path parameter; an object's current version), encodes
// the request, and reports the answer with how long it took, or that none came in time.

import { request as httpRequest } from 'node:http';
import { encodeJson } from './fuzz-json.js';
import type { FuzzRequest, QueryPart } from './fuzz-request.js';
import type { ParamKind } from './fuzz-routes.js';

export interface SentRequest {
  readonly method: string;
  readonly path: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: Buffer | undefined;
}

export type RequestOutcome =
  | {
      readonly kind: 'answered';
      readonly status: number;
      /** The start of the body (64 KiB at most). */
      readonly body: string;
      /** Milliseconds to the status line. */
      readonly headMs: number;
      /** Milliseconds to the end of the body (undefined for a stream cut at the time bound). */
      readonly totalMs: number | undefined;
    }
  | { readonly kind: 'timeout'; readonly ms: number }
  | {
      readonly kind: 'connection';
      readonly error: string;
      readonly ms: number;
      /**
       * The request was large (a head over Node's 16 KiB header limit, a body over 1 MiB): a
       * server refuses it with 431/413 and closes at once, so the client, still writing, may
       * see the reset instead of the answer.
       */
      readonly oversized: boolean;
    };

/** Node's default --max-http-header-size. */
export const MAX_HEAD_BYTES = 16 * 1024;
/** A body a server may refuse by closing the connection (the API's limit is at most this). */
export const LARGE_BODY_BYTES = 1 << 20;

function oversized(req: SentRequest): boolean {
  const head =
    Buffer.byteLength(req.path) +
    Object.entries(req.headers).reduce((n, [k, v]) => n + k.length + v.length + 4, 0);
  return head > MAX_HEAD_BYTES - 512 || (req.body?.length ?? 0) > LARGE_BODY_BYTES;
}

const BODY_KEEP = 64 * 1024;
/** How long a stream's body is read once its status line came. */
const STREAM_READ_MS = 200;

/** Percent-encodes every byte but the unreserved ones (lone surrogates become U+FFFD first). */
export function percentEncode(s: string): string {
  let out = '';
  for (const byte of Buffer.from(s, 'utf8')) {
    const c = String.fromCharCode(byte);
    out += /[A-Za-z0-9\-._~]/.test(c) ? c : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

function queryString(parts: readonly QueryPart[]): string {
  if (parts.length === 0) return '';
  return `?${parts.map((p) => ('raw' in p ? p.raw : `${percentEncode(p.key)}=${percentEncode(p.value)}`)).join('&')}`;
}

interface LiveObject {
  readonly ID: string;
  readonly name: string | undefined;
  readonly version: number | undefined;
}

const LIST_PATH: Readonly<Record<ParamKind, string>> = {
  service: '/services',
  node: '/nodes',
  network: '/networks',
  task: '/tasks',
  secret: '/secrets',
  config: '/configs',
};

function liveObjects(kind: ParamKind, body: string): LiveObject[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return [];
  }
  if (!Array.isArray(parsed)) return [];
  return parsed.flatMap((o: unknown): LiveObject[] => {
    if (typeof o !== 'object' || o === null) return [];
    const obj = o as {
      ID?: unknown;
      Id?: unknown;
      Name?: unknown;
      Spec?: { Name?: unknown };
      Version?: { Index?: unknown };
    };
    const id = obj.ID ?? obj.Id;
    if (typeof id !== 'string') return [];
    const name = kind === 'network' ? obj.Name : obj.Spec?.Name;
    const version = obj.Version?.Index;
    return [
      {
        ID: id,
        name: typeof name === 'string' ? name : undefined,
        version: typeof version === 'number' ? version : undefined,
      },
    ];
  });
}

export class RequestDriver {
  readonly #socketPath: string;
  readonly #timeoutMs: number;

  constructor(socketPath: string, timeoutMs: number) {
    this.#socketPath = socketPath;
    this.#timeoutMs = timeoutMs;
  }

  /** Sends one request; the whole answer must come within the bound (a stream: its status line). */
  send(req: SentRequest, streams = false): Promise<RequestOutcome> {
    const started = Date.now();
    return new Promise<RequestOutcome>((resolve) => {
      let settled = false;
      const finish = (o: RequestOutcome): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        resolve(o);
        outgoing.destroy();
      };
      const headers: Record<string, string> = { ...req.headers };
      if (req.body !== undefined) headers['content-length'] = String(req.body.length);
      const outgoing = httpRequest({
        socketPath: this.#socketPath,
        method: req.method,
        path: req.path,
        headers,
      });
      let status = 0;
      let headMs = 0;
      let body = '';
      const timer = setTimeout(() => {
        if (status !== 0 && streams) finish({ kind: 'answered', status, body, headMs, totalMs: undefined });
        else finish({ kind: 'timeout', ms: Date.now() - started });
      }, this.#timeoutMs);
      outgoing.on('response', (res) => {
        status = res.statusCode ?? 0;
        headMs = Date.now() - started;
        // A stream that started is not read to its end (an event stream never ends).
        if (streams)
          setTimeout(
            () => finish({ kind: 'answered', status, body, headMs, totalMs: undefined }),
            STREAM_READ_MS,
          );
        res.on('data', (chunk: Buffer) => {
          if (body.length < BODY_KEEP) body += chunk.toString('utf8').slice(0, BODY_KEEP - body.length);
        });
        res.on('end', () =>
          finish({ kind: 'answered', status, body, headMs, totalMs: Date.now() - started }),
        );
        res.on('error', (e) =>
          finish({
            kind: 'connection',
            error: e.message,
            ms: Date.now() - started,
            oversized: oversized(req),
          }),
        );
      });
      outgoing.on('error', (e) => {
        if (status !== 0) finish({ kind: 'answered', status, body, headMs, totalMs: Date.now() - started });
        else
          finish({
            kind: 'connection',
            error: e.message,
            ms: Date.now() - started,
            oversized: oversized(req),
          });
      });
      outgoing.end(req.body);
    });
  }

  /** GET helper for live values; undefined when the list did not answer 200. */
  async #list(kind: ParamKind): Promise<LiveObject[] | undefined> {
    const o = await this.send({ method: 'GET', path: LIST_PATH[kind], headers: {}, body: undefined });
    return o.kind === 'answered' && o.status === 200 ? liveObjects(kind, o.body) : undefined;
  }

  async #swarmVersion(): Promise<number | undefined> {
    const o = await this.send({ method: 'GET', path: '/swarm', headers: {}, body: undefined });
    if (o.kind !== 'answered' || o.status !== 200) return undefined;
    try {
      const v = (JSON.parse(o.body) as { Version?: { Index?: unknown } }).Version?.Index;
      return typeof v === 'number' ? v : undefined;
    } catch {
      return undefined;
    }
  }

  /** The request as it goes on the wire, with live values filled in. */
  async resolve(r: FuzzRequest): Promise<SentRequest> {
    let path = r.route.path;
    let version: number | undefined;
    if (r.param !== undefined) {
      let text: string;
      if (r.param.kind === 'raw') {
        text = r.param.verbatim ? r.param.value : percentEncode(r.param.value);
      } else {
        const objects = (await this.#list(r.route.param!)) ?? [];
        const o = objects.length === 0 ? undefined : objects[r.param.pick % objects.length];
        version = o?.version;
        const id = o?.ID ?? 'nosuchobject';
        const forms = { id, name: o?.name ?? id, prefix: id.slice(0, 5), upper: id.toUpperCase() };
        text = percentEncode(forms[r.param.form]);
      }
      path = path.replace(':id', text);
    }
    let query = r.query;
    if (r.liveVersion) {
      const live = r.route.versionOf === 'swarm' ? await this.#swarmVersion() : version;
      query = [
        ...query.filter((q) => 'raw' in q || q.key !== 'version'),
        { key: 'version', value: String(live ?? 0) },
      ];
    }
    const headers: Record<string, string> = {};
    if (r.contentType !== undefined) headers['content-type'] = r.contentType;
    return {
      method: r.method,
      path: `${r.prefix}${path}${queryString(query)}`,
      headers,
      body: r.body === undefined ? undefined : encodeJson(r.body),
    };
  }
}
