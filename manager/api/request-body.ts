// Request bodies: JSON as Docker reads it (an empty body is the zero value), with the raw
// bytes kept so a follower can forward the request to the leader unchanged. Other content
// types are accepted only without a body (Docker's client sends text/plain on empty POSTs).
// A JSON body is bounded as it arrives (json-limits.ts): its size (413) and its nesting
// (400), both refused before JSON.parse sees it.

import type { IncomingMessage } from 'node:http';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { ApiError, invalidParameter } from './errors.js';
import { JSON_BODY_MAX_BYTES, JSON_MAX_DEPTH, JsonDepthScanner } from './json-limits.js';

const raw = new WeakMap<FastifyRequest, Buffer>();

/** The bytes of the request's body as received (empty when it had none). */
export function rawBodyOf(request: FastifyRequest): Uint8Array {
  return raw.get(request) ?? new Uint8Array(0);
}

/** 413 in Docker's error shape. */
export function bodyTooLarge(): ApiError {
  return new ApiError(
    413,
    `request body is larger than the limit of ${JSON_BODY_MAX_BYTES} bytes`,
    'BODY_TOO_LARGE',
  );
}

export function bodyTooDeep(): ApiError {
  return invalidParameter(`invalid JSON: nested deeper than the limit of ${JSON_MAX_DEPTH} levels`);
}

type Done = (err: Error | null, body?: unknown) => void;

/**
 * Reads a JSON body chunk by chunk: refuses it at the first chunk past the depth limit or the
 * size limit (the rest of the stream is left to the HTTP server to discard, as fastify does
 * with its own body limit), then parses it.
 */
function readJson(request: FastifyRequest, payload: IncomingMessage, done: Done): void {
  const scanner = new JsonDepthScanner(JSON_MAX_DEPTH);
  const chunks: Buffer[] = [];
  let received = 0;
  let finished = false;
  const finish = (err: Error | null, body?: unknown): void => {
    if (finished) return;
    finished = true;
    payload.removeListener('data', onData);
    payload.removeListener('end', onEnd);
    payload.removeListener('error', onError);
    done(err, body);
  };
  const onData = (chunk: Buffer | string): void => {
    const bytes = typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : chunk;
    // Depth first: a deep body is refused as such (400) at its first bytes, however long.
    if (!scanner.push(bytes)) return finish(bodyTooDeep());
    received += bytes.length;
    if (received > JSON_BODY_MAX_BYTES) return finish(bodyTooLarge());
    chunks.push(bytes);
  };
  const onEnd = (): void => {
    const body = Buffer.concat(chunks, received);
    raw.set(request, body);
    if (body.length === 0) return finish(null, undefined);
    let parsed: unknown;
    try {
      parsed = JSON.parse(body.toString('utf8')) as unknown;
    } catch (e: unknown) {
      return finish(invalidParameter(`invalid JSON: ${e instanceof Error ? e.message : String(e)}`));
    }
    finish(null, parsed);
  };
  const onError = (e: Error): void => finish(e);
  payload.on('data', onData);
  payload.on('end', onEnd);
  payload.on('error', onError);
}

export function registerBodyParsers(app: FastifyInstance): void {
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('application/json', (request, payload, done) => readJson(request, payload, done));
  app.addContentTypeParser(
    '*',
    { parseAs: 'buffer', bodyLimit: JSON_BODY_MAX_BYTES },
    (request, body: Buffer, done) => {
      raw.set(request, body);
      if (body.length === 0) {
        done(null, undefined);
        return;
      }
      const type = request.headers['content-type'] ?? '';
      done(
        invalidParameter(`unsupported Content-Type header (${type}): must be 'application/json'`),
        undefined,
      );
    },
  );
}
